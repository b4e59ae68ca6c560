// SPDX-License-Identifier: Apache-2.0
// The test class lives in a header because moc mis-reads raw string literals that contain
// an odd number of quotes, which JSON test data is full of.
#pragma once

#include <QObject>

/// The sniff-and-unwrap layer and whole-source problems: input that is not an audit log gets
/// one message per source, wide text is transcoded, devices are not read forever, and a file
/// that changes while it loads is reported.
class TestSources : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void otherCompressorsAreNamedOnce_data();
    void otherCompressorsAreNamedOnce();
    void wideTextIsTranscoded_data();
    void wideTextIsTranscoded();
    void notAnAuditLogGetsOneMessage_data();
    void notAnAuditLogGetsOneMessage();
    void auditLogWithJunkKeepsPerLineErrors();
    void longNulRunBeforeTheEventsIsSkipped();
    void emptyFileIsANoteNamingIt();
    void endlessDevicesStopAfterTheSniff_data();
    void endlessDevicesStopAfterTheSniff();
    void shrinkingFileIsReported();
    void growingFileIsReported();
    void replacedFileIsReported();
    void sniffNeverReadsPastTheHead();
    void fileTruncatedToNothingIsOneWarning();
    void wideTextIsSniffedAgainAfterTranscoding();
    void gzipOfNulBytesStopsAfterTheSniff();
    void coreEventsAreNotAuditEvents();
    void sameWarningOnEveryLineIsSummedUp();
};
