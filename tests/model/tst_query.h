// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which query and JSON test data are full of.
#pragma once

#include <QObject>

class TestQuery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parsesToCanonicalForm_data();
    void parsesToCanonicalForm();
    void reportsPositionedErrors_data();
    void reportsPositionedErrors();
    void matchesExpectedEvents_data();
    void matchesExpectedEvents();
    void indexPlanEqualsBruteForceOnRandomQueries();
    void worksOnAnUnindexedSnapshot();
    void cancelReturnsNoRows();
    void findsFalcoPrivilegedPods();
    void ipMatchesAnyEntryOfSourceIps();
    void completesFieldsAndValuesWithCounts_data();
    void completesFieldsAndValuesWithCounts();
};
