// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestChainModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chainModelPassesTheTester();
    void chainModelOfServersFixture();
    void historyModelPassesTheTester();
    void historyModelShowsPatchKinds();
};
