// SPDX-License-Identifier: Apache-2.0
#include "threadpriority.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace auditscope {

void lowerCurrentThreadPriority()
{
#if defined(__linux__)
    // On Linux the nice value is per thread (PRIO_PROCESS with a thread id), and threads
    // created later inherit it.
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    const int current = getpriority(PRIO_PROCESS, tid);
    setpriority(PRIO_PROCESS, tid, current + 5);
#endif
}

} // namespace auditscope
