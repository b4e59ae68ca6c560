// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestEventTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void passesTheModelTester();
    void showsEveryColumn();
    void classifiesSeverity();
    void keepsEventsAcrossResetsById();
    void sortsEveryColumnStably();
    void sortsByThePolicysRuleAndLevel();
    void showsTimeRelativeToAReference();
};
