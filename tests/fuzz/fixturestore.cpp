// SPDX-License-Identifier: Apache-2.0
#include "fixturestore.h"

#include "fuzzcheck.h"

#include "load/loader.h"

#include <string>
#include <vector>

namespace auditscope::fuzz {

EventStorePtr fixtureStore()
{
    static const EventStorePtr store = [] {
        const std::string data = AUDITSCOPE_TEST_DATA_DIR;
        const std::vector<std::string> paths{data + "/policies/impact/hand-made.log",
            data + "/chain/servers", data + "/corpus/falco/create_nginx_pod_privileged.json",
            data + "/corpus/falco/exec_pod.json", data + "/corpus/falco/create_configmap.json"};
        LoadOptions options;
        options.threads = 1;
        LoadResult loaded = loadAuditLogs(paths, {}, options);
        FUZZ_CHECK(loaded.store->size() >= 10 && loaded.report.badLines == 0);
        return std::move(loaded.store);
    }();
    return store;
}

} // namespace auditscope::fuzz
