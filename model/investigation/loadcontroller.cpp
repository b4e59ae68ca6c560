// SPDX-License-Identifier: Apache-2.0
#include "loadcontroller.h"

#include <QFile>
#include <QMetaObject>
#include <QPointer>

namespace auditscope {

LoadController::LoadController(QObject* parent)
    : QObject(parent)
{ }

LoadController::~LoadController()
{
    // Stop and join here, while `this` is still a whole LoadController: the worker only
    // posts to us through a QPointer, so nothing reaches a destroyed object.
    m_worker.request_stop();
    for (std::jthread& old : m_retired)
        old.request_stop();
    if (m_worker.joinable())
        m_worker.join();
    m_retired.clear(); // joins
}

void LoadController::open(const QStringList& paths)
{
    const quint64 generation = ++m_generation;
    std::vector<std::string> files;
    for (const QString& p : paths)
        files.push_back(QFile::encodeName(p).toStdString()); // file names need not be UTF-8
    m_loading = true;
    Q_EMIT loadStarted(paths);
    QPointer<LoadController> self(this);
    if (m_worker.joinable()) {
        m_worker.request_stop();
        m_retired.push_back(std::move(m_worker));
    }
    m_worker = std::jthread([self, files = std::move(files), generation](std::stop_token stop) {
        auto post = [self, generation](auto fn) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, generation, fn = std::move(fn)] {
                    if (self && self->m_generation == generation)
                        fn(*self);
                },
                Qt::QueuedConnection);
        };
        LoadOptions options;
        options.onProgress = [&](const LoadProgress& p) {
            post([p](LoadController& c) { Q_EMIT c.progressChanged(p); });
        };
        options.onPartialSnapshot = [&](EventStorePtr store) {
            post([store](LoadController& c) { Q_EMIT c.partialSnapshot(store); });
        };
        LoadResult result = loadAuditLogs(files, stop, options);
        Summary summary = summarize(*result.store);
        post([result = std::move(result), summary = std::move(summary)](LoadController& c) {
            c.m_loading = false;
            c.m_retired.clear(); // superseded loads stopped long ago: these joins are quick
            Q_EMIT c.loadFinished(result, summary);
        });
    });
}

void LoadController::cancel()
{
    m_worker.request_stop();
}

} // namespace auditscope
