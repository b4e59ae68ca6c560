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
};
