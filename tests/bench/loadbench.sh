#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The loading figures of issue 17, side by side on the same machine in one run: AuditScope on a
# plain file, on a rotated set plain and gzip (four .gz backups + the live file), on one .gz, and
# the bare simdjson index (bareindex), zcat, igzip, jq and lnav on the same bytes. Each command
# runs REPEAT times, alternating; medians are printed, with ratios and the peak resident
# anonymous memory (what the page cache cannot take back) of each AuditScope load.
#
#   tests/bench/loadbench.sh [SIZE] [REPEAT]      (defaults: 200M 5; build with the ci preset first)
set -euo pipefail
size=${1:-200M}
repeat=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${AUDITSCOPE_BUILD:-$root/build/ci}
cli=$bin/app/auditscope-cli
work=${TMPDIR:-/tmp}/auditscope-loadbench-$size

# The tools compared against (Debian packages); root installs what is missing.
need=()
for tool in igzip:isal jq:jq lnav:lnav bc:bc; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "loadbench: install ${need[*]}" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -f "$work/one.log" ]; then
    mkdir -p "$work/set-plain" "$work/set-gz"
    "$bin/tests/bench/auditgen" --size "$size" --seed 3 --out "$work/one.log"
    (cd "$work/set-plain" && split -n l/5 -d "$work/one.log" part &&
        for i in 0 1 2 3; do mv "part0$i" "audit-2025-03-14T1$i-00-00.000.log"; done && mv part04 audit.log)
    for f in "$work"/set-plain/audit-*.log; do gzip -6 -c "$f" > "$work/set-gz/$(basename "$f").gz"; done
    cp "$work/set-plain/audit.log" "$work/set-gz/"
    gzip -6 -c "$work/one.log" > "$work/one.log.gz"
fi
bytes=$(stat -c %s "$work/one.log")

# Runs a command; prints "seconds peak-anonymous-bytes".
measure() {
    local start end peak=0 kib pid
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        kib=$(awk '/RssAnon/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ -n "$kib" ] && [ "$kib" -gt "$peak" ] && peak=$kib
        sleep 0.005
    done
    wait "$pid"
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc) $((peak * 1024))"
}

declare -A cmds=(
    [bareindex]="$bin/tests/bench/bareindex $work/one.log"
    [plain]="$cli summary --json $work/one.log"
    [set-plain]="$cli summary --json $work/set-plain"
    [set-gz]="$cli summary --json $work/set-gz"
    [one-gz]="$cli summary --json $work/one.log.gz"
    [zcat]="zcat $work/one.log.gz"
    [igzip]="igzip -dc $work/one.log.gz"
    [jq]="jq -c select(.verb==\"delete\")|.auditID $work/one.log"
    [lnav]="lnav -n -c :goto\\ 100% $work/one.log"
)
order=(bareindex plain set-plain set-gz one-gz zcat igzip jq lnav)
[ -x "$bin/tests/bench/bareindex" ] || order=("${order[@]:1}")
declare -A times peaks
for ((r = 0; r < repeat; r++)); do
    for name in "${order[@]}"; do
        if [ "$name" = lnav ]; then read -r t p < <(measure lnav -n -c ':goto 100%' "$work/one.log")
        elif [ "$name" = jq ]; then read -r t p < <(measure jq -c 'select(.verb=="delete")|.auditID' "$work/one.log")
        else read -r t p < <(measure ${cmds[$name]}); fi
        times[$name]+="$t "
        peaks[$name]+="$p "
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A med
echo "input: $bytes bytes plain, $(stat -c %s "$work/one.log.gz") as one .gz; $repeat runs each, medians"
for name in "${order[@]}"; do
    med[$name]=$(echo "${times[$name]}" | median)
    peak=$(echo "${peaks[$name]}" | median)
    printf '%-10s %7.3f s  %6.0f MB/s  peak anonymous %6.1f MB (%.2fx the decompressed size)\n' \
        "$name" "${med[$name]}" "$(echo "$bytes / ${med[$name]} / 1000000" | bc -l)" \
        "$(echo "$peak / 1000000" | bc -l)" "$(echo "$peak / $bytes" | bc -l)"
done
ratio() { printf '%.2f' "$(echo "${med[$1]} / ${med[$2]}" | bc -l)"; }
[ -n "${med[bareindex]:-}" ] && echo "plain file / bare index:           $(ratio plain bareindex)x  (budget 1.15x)"
echo "rotated gzip set / same bytes plain: $(ratio set-gz set-plain)x  (budget 1.2x)"
echo "one .gz / the same file plain:       $(ratio one-gz plain)x"
