// SPDX-License-Identifier: Apache-2.0
#include "investigation/loadcontroller.h"

#include <QFile>

namespace auditscope {

namespace {

struct FinishedLoad
{
    LoadResult result;
    Summary summary;
};

} // namespace

LoadController::LoadController(QObject* parent)
    : QObject(parent)
{
    // Queued, spied on and kept in QVariants by tests.
    qRegisterMetaType<LoadProgress>();
    qRegisterMetaType<LoadResult>();
    qRegisterMetaType<Summary>();
    qRegisterMetaType<EventStorePtr>();
    connect(&m_jobs, &JobRunner::jobFailed, this, &LoadController::loadFailed);
    // The load is what the user waits for, and the window shows only its progress meanwhile:
    // it competes with other programs at normal priority, like auditscope-cli.
    m_jobs.setLowPriority(false);
}

LoadController::~LoadController() = default;

void LoadController::open(const QStringList& paths)
{
    std::vector<std::string> files;
    for (const QString& p : paths)
        files.push_back(QFile::encodeName(p).toStdString()); // file names need not be UTF-8
    m_jobs.start(
        [this, files = std::move(files)](JobContext& job) {
            LoadOptions options;
            // The loader throttles its progress itself (LoadOptions::progressInterval).
            options.onProgress = [&](const LoadProgress& p) {
                job.post([this, p] { Q_EMIT progressChanged(p); });
            };
            options.onPartialSnapshot = [&](EventStorePtr store) {
                job.post([this, store] { Q_EMIT partialSnapshot(store); });
            };
            FinishedLoad finished;
            finished.result = loadAuditLogs(files, job.stopToken(), options);
            finished.summary = summarize(*finished.result.store);
            return finished;
        },
        [this](FinishedLoad finished) { Q_EMIT loadFinished(finished.result, finished.summary); });
    Q_EMIT loadStarted(paths); // isLoading() is true from here on
}

void LoadController::cancel()
{
    m_jobs.requestStop(); // keeps the current load: what it read so far is delivered
}

void LoadController::discard()
{
    m_jobs.cancel();
}

} // namespace auditscope
