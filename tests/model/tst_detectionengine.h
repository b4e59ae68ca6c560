// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data are full of.
#pragma once

#include <QObject>

class TestDetectionEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void relaxesRawTermsByNegationDepth_data();
    void relaxesRawTermsByNegationDepth();
    void eventRuleWithIndexedTermsOnly();
    void eventRuleReadsAJsonPathInTheSecondContainer();
    void oneFindingPerRequestAtItsFirstMatchingStage();
    void thresholdCountsWithinTheWindowInclusive();
    void eventsWithoutATimeKeepNoState();
    void thresholdOneFindingPerBurst();
    void thresholdCountsDistinctValues();
    void firstSeenNeedsTheBaseline();
    void firstSeenNewValueOfAField();
    void sequenceWithinTheWindowBySameKey();
    void outsideMaintenanceSkipsRequestsInAWindow();
    void parsesMaintenanceWindows_data();
    void parsesMaintenanceWindows();
    void silenceFindsAHoleInASource();
    void silenceQuietOnSteadySparseLog();
    void rateDropFindsASuddenLastingFall();
    void rateDropQuietOnAOneMinuteDip();
    void clockSkewAcrossServers();
    void levelDropWhenThePolicyChanges();
    void rotationGapBetweenFiles();
    void queryContextListsRulesPerEvent();
    void findingsAreSortedBySeverityRuleAndTime();
    void stopBeforeStartGivesCancelledAndNoFindings();
    void sameFindingsOnOneAndTwoThreads();
    void explainsTheTermsAndValuesThatMatched();
    void rawMatcherParsesEachEventOnceForManyTerms();
};
