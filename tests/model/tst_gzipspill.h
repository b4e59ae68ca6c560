// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>

/// Issue 17: gzip through ISA-L (checked against zlib), decompressed data spilled to an unlinked
/// file in the cache folder, and gzip files parsed while they decompress.
class TestGzipSpill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void fastPathMatchesZlib_data();
    void fastPathMatchesZlib();
    void damagedStreamsKeepWhatZlibKeeps_data();
    void damagedStreamsKeepWhatZlibKeeps();
    void spillFileLeavesNothingBehind();
    void fullFolderIsAnErrorAndKeepsWhatLoaded();
    void unusableFolderFallsBackToMemory();
    void gzipParsedWhileDecompressingLoadsLikePlain();
    void cancelWhileDecompressingKeepsWhatWasParsed();
};
