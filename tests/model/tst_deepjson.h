// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestDeepJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rawMatcherSearchesDownToTheBound_data();
    void rawMatcherSearchesDownToTheBound();
    void hundredThousandDeepBodiesCrashNothing();
    void jsonValueAndTreeStopAtTheBound();
    void jsonPatchCannotNestPastTheBound();
};
