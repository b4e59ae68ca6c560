// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes.
#pragma once

#include <QObject>

class TestDetectionRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtInPackReadsWithoutDiagnostics();
    void everyQueryRuleHasFixtures();
    void fixturesFollowTheConvention_data();
    void fixturesFollowTheConvention();
    void falcoTraceFilesTriggerTheirRules_data();
    void falcoTraceFilesTriggerTheirRules();
};
