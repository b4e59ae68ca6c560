// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which query test data are full of.
#pragma once

#include <QObject>

class TestQueryFindings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parsesFindingTerms_data();
    void parsesFindingTerms();
    void rejectsBadFindingValues_data();
    void rejectsBadFindingValues();
    void severityNamesAreTheDetectionLayers();
    void needsFindingsForTheStore();
    void checksRuleIdsAgainstTheFindings();
    void matchesTheFlaggedEvents_data();
    void matchesTheFlaggedEvents();
    void agreesWithBruteForceOnRandomQueries();
    void completesFindingFieldsWithCounts();
    void tellsWhichQueriesReadFindings();
};
