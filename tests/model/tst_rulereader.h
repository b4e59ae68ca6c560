// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which YAML and query test data are full of.
#pragma once

#include <QObject>

class TestRuleReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtInPackReadsWithoutDiagnostics();
    void builtInTextIsTheCompiledYaml();
    void readsEveryFieldOfANewRule();
    void readsTheStateBlocks();
    void reportsLocatedDiagnostics_data();
    void reportsLocatedDiagnostics();
    void mapsMatchErrorsIntoTheYaml_data();
    void mapsMatchErrorsIntoTheYaml();
    void leavesOutBadEntriesAndAppliesTheRest();
    void overridesOnlyTheFieldsGiven();
    void disablesAndAddsRules();
    void settingsReplaceDefaultsAndApplyBeforeMacros();
    void reportsBadSettingsItemsAndKeepsTheOthers();
    void expandsMacros_data();
    void expandsMacros();
    void survivesHostileText_data();
    void survivesHostileText();
    void readsFilesAndReportsUnreadableOnes();
    void readmeExampleReadsCleanly();
    void userRulesFileIsInTheConfigFolder();
};
