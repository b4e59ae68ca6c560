// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

class TestInvestigationFindings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void detectionRunsOnEachCompleteSnapshotOnly();
    void findingTermsFilterOnceTheFindingsArrive();
    void addingSourcesRunsDetectionAgain();
    void closingDropsTheFindings();
    void aRulesFileAddsDisablesAndReportsProblems();
    void coverageFollowsTheActivePolicy();
};
