// SPDX-License-Identifier: Apache-2.0
// What every fuzz target shares: a check that stops the run (libFuzzer then saves the input).
#pragma once

#include <cstdio>
#include <cstdlib>

// An invariant the code under test documents. Unlike assert() it also holds in release
// builds, and it names the check so that a crash report says which promise broke.
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(                                                                          \
                stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition);         \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
