// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestAnalysis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void classifiesPrincipals_data();
    void classifiesPrincipals();
    void classifiesVerbsAndCodes();
    void choosesHumanBucketWidths_data();
    void choosesHumanBucketWidths();
    void parsesAndFormatsBucketWidths_data();
    void parsesAndFormatsBucketWidths();
    void readsRequestPathsFromRawJson();
    void timelineMatchesBruteForce_data();
    void timelineMatchesBruteForce();
    void timelineHonoursRangeAndAlignment();
    void usersMatchBruteForce_data();
    void usersMatchBruteForce();
    void resourcesMatchBruteForce_data();
    void resourcesMatchBruteForce();
    void fieldAggregatesMatchBruteForce_data();
    void fieldAggregatesMatchBruteForce();
    void handwrittenEdgeCases();
    void userFiltersSelectExactlyTheirEvents();
    void resourceFiltersSelectExactlyTheirEvents();
    void timelineFiltersSelectExactlyTheirEvents();
    void fieldFiltersSelectExactlyTheirEvents();
    void microk8sCorpusMatchesIndependentCounts();
    void stopTokenCancelsEveryAggregation();
    void singleThreadEqualsTwoThreads();
};
