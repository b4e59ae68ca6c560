// SPDX-License-Identifier: Apache-2.0
#include "chain/objecthistory.h"

namespace auditscope {

std::optional<ObjectKey> ObjectKey::of(const EventStore& store, EventId id)
{
    const std::uint32_t row = id.value;
    if (!id || row >= store.size() || !store.apiGroup[row] || !store.resource[row]
        || !store.name[row])
        return std::nullopt;
    ObjectKey key;
    key.group = std::string(store.pools.apiGroups.view(store.apiGroup[row].value));
    key.resource = std::string(store.pools.resources.view(store.resource[row].value));
    if (store.namespaceId[row])
        key.namespaceName = std::string(store.pools.namespaces.view(store.namespaceId[row].value));
    key.name = std::string(store.pools.names.view(store.name[row].value));
    return key;
}

} // namespace auditscope
