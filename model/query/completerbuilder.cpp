// SPDX-License-Identifier: Apache-2.0
#include "query/completerbuilder.h"

namespace auditscope {

CompleterBuilder::CompleterBuilder(QObject* parent)
    : QObject(parent)
{ }

CompleterBuilder::~CompleterBuilder() = default;

void CompleterBuilder::build(const EventStorePtr& store)
{
    m_jobs.start(
        [events = store ? store : std::make_shared<const EventStore>()](JobContext&) {
            auto completer = std::make_shared<QueryCompleter>(events);
            completer->warmUp();
            return completer;
        },
        [this](std::shared_ptr<QueryCompleter> completer) { Q_EMIT completerReady(completer); });
}

} // namespace auditscope
