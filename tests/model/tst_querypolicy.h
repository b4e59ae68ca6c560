// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which query and JSON test data are full of.
#pragma once

#include <QObject>

class TestQueryPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parsesPolicyTerms_data();
    void parsesPolicyTerms();
    void rejectsBadPolicyValues_data();
    void rejectsBadPolicyValues();
    void needsAnActivePolicy();
    void refusesAPolicyOfAnotherSnapshot();
    void matchesTheActivePolicysOutcome_data();
    void matchesTheActivePolicysOutcome();
    void agreesWithBruteForceAndTheEvaluator();
    void completesPolicyFieldsWithCounts();
    void runnerReportsMissingPolicyAtItsColumn();
    void matchesThePolicyChange_data();
    void matchesThePolicyChange();
    void classifiesEachKindOfChange_data();
    void classifiesEachKindOfChange();
    void policyChangeNeedsAComparison();
    void completesPolicyChangeWithCounts();
};
