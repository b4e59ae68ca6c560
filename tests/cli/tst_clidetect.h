// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which the audit events and rules files below are full of.
#pragma once

#include <QObject>
#include <QTemporaryDir>

class TestCliDetect : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exitsFourOnFindingsAndZeroOnQuietLogs();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void loadErrorsExitOneUnlessSomethingWasFound();
    void textGroupsFindingsByRuleWithPlaces();
    void jsonListsFindingsEventsAndRules();
    void minSeverityFiltersWhatCounts();
    void rulesFileOverridesDisablesAndAdds();
    void badRulesFileIsLocatedAndTheOtherRulesRun();
    void userRulesFileIsAppliedBeforeRulesOption();
    void policyGivesCoverage();
    void queriesReadFindingsInOtherCommands();

private:
    QString write(const QString& name, const QByteArray& text);

    QTemporaryDir m_dir;
    QString m_incident; ///< a privileged pod among ordinary reads
    QString m_quiet; ///< ordinary reads only
};
