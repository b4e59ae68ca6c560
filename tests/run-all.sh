#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, as CI runs it: installs the build dependencies (Debian 12, as root),
# then builds and runs every test (GUI tests offscreen), the model and CLI tests again under
# AddressSanitizer + UBSan (clang), and the clang-format check (a CTest test in the first build).
# The first build also makes the .deb, which is linted and (as root) installed for real and
# removed. The ASan build also has the libFuzzer targets: each runs for 10 s at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/install-build-deps.sh

echo "== build and test (warnings are errors) =="
cmake --preset ci
cmake --build --preset ci
ctest --preset ci

echo "== package: build the .deb, lint it, install it, remove it =="
bash packaging/check-package.sh build/ci

echo "== model and CLI tests under ASan + UBSan =="
cmake --preset asan
cmake --build --preset asan
ctest --preset asan

echo "== fuzz targets, 10 s each (tests/fuzz/README.md) =="
failed=()
for target in lineparser gzip sniffer policy query rules; do
    # A fixed seed, so that a failure here replays with the same command; longer runs with fresh
    # seeds are for tests/fuzz/run.sh by hand (tests/fuzz/README.md).
    bash tests/fuzz/run.sh "$target" 10 -seed=1 || failed+=("$target")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found crashes in: ${failed[*]}" >&2
    exit 1
fi
