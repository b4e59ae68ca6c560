// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "jobs/jobrunner.h"

#include <QObject>
#include <QString>
#include <QVariant>

#include <optional>
#include <utility>
#include <vector>

namespace auditscope {

/// Writes QSettings off the GUI thread. Every write of QSettings locks its file, and the lock
/// file is synced to disk (fdatasync): on a busy disk that blocked the window for 30-100 ms
/// each time a filter was applied (it went into the filter history). Writes keep their order
/// and are batched while one is on its way; value() sees a write at once, before it reaches
/// the disk. Whatever is still queued when the writer goes is written by the destructor.
/// Lives on the GUI thread.
class SettingsWriter final : public QObject
{
    Q_OBJECT

public:
    explicit SettingsWriter(QObject* parent = nullptr);
    /// Waits for the write on its way, then writes what is still queued (on this thread).
    ~SettingsWriter() override;

    void setValue(const QString& key, const QVariant& value);
    void remove(const QString& key);
    /// The value last given to setValue() (nullopt after remove()), else the stored one.
    QVariant value(const QString& key, const QVariant& fallback = {}) const;
    /// A write is queued or on its way (for tests).
    bool isWriting() const { return !m_queued.empty() || !m_inFlight.empty(); }

Q_SIGNALS:
    /// Every write given so far is on disk (QSettings synced).
    void written();

private:
    /// A key and its new value (nullopt: removed).
    using Write = std::pair<QString, std::optional<QVariant>>;
    void enqueue(const QString& key, std::optional<QVariant> value);
    void startNext();
    static void apply(const std::vector<Write>& writes);

    std::vector<Write> m_queued; // not started yet, in order
    std::vector<Write> m_inFlight; // being written by the job
    std::optional<JobRunner> m_jobs; // reset first in the destructor: joins the running write
};

} // namespace auditscope
