// SPDX-License-Identifier: Apache-2.0
// Events kube-apiserver could have written with odd values load, flagged and with a located
// warning; input that is not an audit log is reported once per file. In a header because moc
// mis-reads raw string literals with an odd number of quotes.
#pragma once

#include <QObject>

class TestLoadWarnings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oddEventLoadsFlaggedWithALocatedWarning_data();
    void oddEventLoadsFlaggedWithALocatedWarning();
    void wrongTypedFieldReadsAsAbsent();
    void eventsWithoutTimeSortLastAndShowAsNoTime();
    void missingAuditIdJoinsNoChain();
    void unusableLinesStayErrors_data();
    void unusableLinesStayErrors();
    void kubernetesObjectsAreOneWarningPerFile();
    void duplicateKeysWarnAndTheLastWins();
    void keysThatNameNoReadKeyLoadSilently();
    void nulRunBeforeAnEventIsSkippedWithANote();
    void bodiesDeeperThanTheLimitLoadWithAWarning_data();
    void bodiesDeeperThanTheLimitLoadWithAWarning();
    void warningsAreCappedButCountedApartFromBadLines();
    void warningQueryTermFindsFlaggedEvents();
};
