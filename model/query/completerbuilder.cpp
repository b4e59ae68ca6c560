// SPDX-License-Identifier: Apache-2.0
#include "query/completerbuilder.h"

#include "chain/chainintegrity.h"

namespace auditscope {

CompleterBuilder::CompleterBuilder(QObject* parent)
    : QObject(parent)
{ }

CompleterBuilder::~CompleterBuilder() = default;

void CompleterBuilder::build(const EventStorePtr& store)
{
    m_jobs.start(
        [this, events = store ? store : std::make_shared<const EventStore>()](JobContext& job) {
            auto completer = std::make_shared<QueryCompleter>(events);
            completer->warmUp();
            if (!events->indexed) // a partial snapshot: the next one comes soon
                return completer;
            // Usable now; its chain: counts follow once the chain integrity is known (one
            // computation per snapshot, which detection shares).
            job.post([this, completer] { Q_EMIT completerReady(completer); });
            chainIntegrityFor(events, job.stopToken());
            return std::shared_ptr<QueryCompleter>();
        },
        [this](std::shared_ptr<QueryCompleter> completer) {
            if (completer)
                Q_EMIT completerReady(completer);
        });
}

} // namespace auditscope
