#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs fuzz target TARGET (lineparser, gzip, sniffer, policy, query, rules) for SECONDS, from its
# seeds (seeds.sh) and the corpus of earlier runs, with its dictionary and limits; fails when
# it finds a crash, a hang or a memory blow-up, and says where the input went. More arguments go
# to libFuzzer (e.g. -fork=2 -ignore_crashes=1 to go on after a crash).
#   tests/fuzz/run.sh TARGET SECONDS [LIBFUZZER-ARG...]
# Environment: AUDITSCOPE_FUZZ_BUILD (default build/asan), AUDITSCOPE_FUZZ_WORK (default
# BUILD/fuzz/TARGET: corpus/, seeds/, crashes/).
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET SECONDS [LIBFUZZER-ARG...]" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
build=${AUDITSCOPE_FUZZ_BUILD:-$(cd "$here/../.." && pwd)/build/asan}
binary=$build/tests/fuzz/fuzz_$target
work=${AUDITSCOPE_FUZZ_WORK:-$build/fuzz/$target}
if [ ! -x "$binary" ]; then
    echo "run.sh: $binary not built (cmake --preset asan && cmake --build --preset asan)" >&2
    exit 2
fi

# Longest input per target: enough for several events or a whole policy, past the sniffer's
# 64 KiB head, and for queries and bodies nested deep enough to reach the known recursion limits
# under ASan (about 2,500 parentheses; bodies deeper than simdjson's 1,024).
case $target in
lineparser) options=(-max_len=16384 -dict="$here/dicts/json.dict") ;;
gzip) options=(-max_len=16384) ;;
sniffer) options=(-max_len=70000 -dict="$here/dicts/sniffer.dict") ;;
policy) options=(-max_len=8192 -dict="$here/dicts/policy.dict") ;;
rules) options=(-max_len=8192 -dict="$here/dicts/rules.dict") ;;
query) options=(-max_len=16384 -dict="$here/dicts/query.dict") ;;
*)
    echo "run.sh: unknown target '$target'" >&2
    exit 2
    ;;
esac

rm -rf "$work/seeds"
mkdir -p "$work/corpus" "$work/crashes"
bash "$here/seeds.sh" "$target" "$work/seeds"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# New inputs go to the first directory (corpus); the seeds are only read.
status=0
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/crashes/" "${options[@]}" "$@" "$work/corpus" "$work/seeds" || status=$?
if [ "$status" -ne 0 ]; then
    echo "run.sh: fuzz_$target failed (exit $status); the input is in $work/crashes/:" >&2
    ls -t "$work/crashes" | head -n 5 | sed 's/^/    /' >&2
    echo "reproduce: $binary FILE; keep it as a test: tests/fuzz/regressions/$target/ (README.md)" >&2
    exit 1
fi
