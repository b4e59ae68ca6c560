// SPDX-License-Identifier: Apache-2.0
#include "mappingguard.h"

#include <array>
#include <cstdint>
#include <mutex>

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

namespace auditscope {

namespace {

// One slot per open mapped source (SourceId is 16 bits). The handler reads slots lock-free;
// registration takes a mutex (never held in the handler).
constexpr int MaxSlots = 1 << 16;

struct Slot
{
    std::atomic<std::uintptr_t> begin{0};
    std::atomic<std::uintptr_t> end{0};
    std::atomic<std::atomic<bool>*> shrunk{nullptr};
};

std::array<Slot, MaxSlots> g_slots;
std::atomic<int> g_slotsInUse{0}; // highest used slot + 1
std::mutex g_registryMutex;
struct sigaction g_previous
{
};
std::once_flag g_installed;

void onSigbus(int signal, siginfo_t* info, void* context)
{
    const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    const int used = g_slotsInUse.load(std::memory_order_acquire);
    for (int i = 0; i < used; ++i) {
        const std::uintptr_t begin = g_slots[i].begin.load(std::memory_order_acquire);
        const std::uintptr_t end = g_slots[i].end.load(std::memory_order_acquire);
        if (address < begin || address >= end)
            continue;
        const auto pageSize = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
        void* page = reinterpret_cast<void*>(address & ~(pageSize - 1));
        // mmap is a plain system call: safe enough in a handler, and the documented way out.
        if (mmap(page, pageSize, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            != MAP_FAILED) {
            if (std::atomic<bool>* flag = g_slots[i].shrunk.load(std::memory_order_acquire))
                flag->store(true, std::memory_order_relaxed);
            return; // the faulting read is retried and now sees zeros
        }
        break;
    }
    // Not one of ours: behave as if we were not here.
    if (g_previous.sa_flags & SA_SIGINFO) {
        if (g_previous.sa_sigaction) {
            g_previous.sa_sigaction(signal, info, context);
            return;
        }
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
        g_previous.sa_handler(signal);
        return;
    }
    ::signal(SIGBUS, SIG_DFL);
    raise(SIGBUS);
}

void install()
{
    struct sigaction action
    {
    };
    action.sa_sigaction = onSigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &g_previous);
}

} // namespace

int MappingGuard::registerMapping(const void* begin, std::size_t size, std::atomic<bool>* shrunk)
{
    std::call_once(g_installed, install);
    std::lock_guard lock(g_registryMutex);
    const int used = g_slotsInUse.load(std::memory_order_relaxed);
    int slot = -1;
    for (int i = 0; i < used && slot < 0; ++i) {
        if (g_slots[i].end.load(std::memory_order_relaxed) == 0)
            slot = i;
    }
    if (slot < 0) {
        if (used == MaxSlots)
            return -1;
        slot = used;
    }
    const auto start = reinterpret_cast<std::uintptr_t>(begin);
    g_slots[slot].shrunk.store(shrunk, std::memory_order_release);
    g_slots[slot].begin.store(start, std::memory_order_release);
    g_slots[slot].end.store(start + size, std::memory_order_release);
    if (slot == used)
        g_slotsInUse.store(used + 1, std::memory_order_release);
    return slot;
}

void MappingGuard::unregisterMapping(int slot)
{
    if (slot < 0)
        return;
    std::lock_guard lock(g_registryMutex);
    g_slots[slot].end.store(0, std::memory_order_release);
    g_slots[slot].begin.store(0, std::memory_order_release);
    g_slots[slot].shrunk.store(nullptr, std::memory_order_release);
}

} // namespace auditscope
