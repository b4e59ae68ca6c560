// SPDX-License-Identifier: Apache-2.0
#include "jobs/settingswriter.h"

#include <QSettings>

namespace auditscope {

SettingsWriter::SettingsWriter(QObject* parent)
    : QObject(parent)
{
    m_jobs.emplace();
    // A write that threw (QSettings does not) must not hold back the next ones.
    connect(&*m_jobs, &JobRunner::jobFailed, this, [this] {
        m_inFlight.clear();
        startNext();
    });
}

SettingsWriter::~SettingsWriter()
{
    m_jobs.reset(); // joins: a write that started finishes (it never looks at its stop token)
    apply(m_queued);
}

void SettingsWriter::setValue(const QString& key, const QVariant& value)
{
    enqueue(key, value);
}

void SettingsWriter::remove(const QString& key)
{
    enqueue(key, std::nullopt);
}

QVariant SettingsWriter::value(const QString& key, const QVariant& fallback) const
{
    // The newest write of `key` wins: the queue is newer than the batch on its way.
    for (const std::vector<Write>* writes : {&m_queued, &m_inFlight})
        for (auto it = writes->rbegin(); it != writes->rend(); ++it)
            if (it->first == key)
                return it->second ? *it->second : fallback;
    return QSettings().value(key, fallback);
}

void SettingsWriter::enqueue(const QString& key, std::optional<QVariant> value)
{
    m_queued.emplace_back(key, std::move(value));
    startNext();
}

void SettingsWriter::startNext()
{
    if (!m_inFlight.empty() || m_queued.empty())
        return; // one write at a time keeps them in order; the next batch waits
    m_inFlight = std::move(m_queued);
    m_queued.clear();
    m_jobs->start([writes = m_inFlight](JobContext&) { apply(writes); },
        [this] {
            m_inFlight.clear();
            if (m_queued.empty())
                Q_EMIT written();
            else
                startNext();
        });
}

void SettingsWriter::apply(const std::vector<Write>& writes)
{
    if (writes.empty())
        return;
    QSettings settings; // thread-safe: one instance per thread, the file is shared and locked
    for (const auto& [key, value] : writes) {
        if (value)
            settings.setValue(key, *value);
        else
            settings.remove(key);
    }
    settings.sync();
}

} // namespace auditscope
