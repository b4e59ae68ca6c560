// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

class TestLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsEveryColumnOfAV1Event();
    void acceptsEveryInputForm_data();
    void acceptsEveryInputForm();
    void eventListItemsKeepTheirOwnRawJson();
    void timestampPrecisionsAndV1beta1Fallback_data();
    void timestampPrecisionsAndV1beta1Fallback();
    void mergesSourcesByTimeThenStageThenSourceOrder();
    void lineNumbersStayExactAcrossParallelChunks();
    void indexesAgreeWithColumns();
    void gzipPlainMultiMemberAndRotatedFolder();
    void truncatedAndCorruptGzipKeepWhatDecompressed();
    void wholeSourceErrorsAreReportedPerSource();
    void permissionDeniedIsASourceError();
    void cancelKeepsWhatWasLoadedWithExactLines();
    void publishesAPartialSnapshotThenTheWhole();
    void fileThatShrinksWhileOpenDoesNotCrash();
    void readsPipes();
    void pipeWithoutWriterDoesNotHang();
};
