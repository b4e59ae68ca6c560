// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestBadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badLineIsReportedAndNeighboursLoad_data();
    void badLineIsReportedAndNeighboursLoad();
    void deeplyNestedEventLoadsWhenValid();
    void truncatedLastLineIsNamedAsSuch();
    void hundredMegabyteLineLoads();
    void eventListItemErrorsAreLocatedAndOthersLoad();
    void diagnosticsAreCappedButCounted();
    void emptyInputIsNotAnError();
    void brokenEventListItemSaysTheRestIsLost();
    void itemsKeyInAnEventIsNotAList();
    void rawOfPrettyPrintedItemsHasNoTrailingWhitespace();
    void diagnosticsAreCappedWhileParsing();
    void quotedValuesInMessagesAreSafe();
};
