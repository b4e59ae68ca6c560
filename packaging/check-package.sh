#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb from a finished build folder (CPack), lints it (lintian; exceptions are in
# auditscope.lintian-overrides), lists it, checks the installed tree (appstreamcli validate-tree),
# and, as root, installs it for real with apt-get, runs both binaries from /usr/bin, checks the
# MIME and desktop databases saw it, and removes it again.
# Usage: check-package.sh BUILD_DIR
set -euo pipefail
build=$(realpath "${1:?usage: check-package.sh BUILD_DIR}")
started=$SECONDS

echo "-- cpack"
out=$build/package
rm -rf "$out"
cpack --config "$build/CPackConfig.cmake" -B "$out" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
debs=("$out"/auditscope_*.deb)
deb=${debs[0]}
[ -f "$deb" ] || { cat "$out.log"; echo "check-package: no .deb in $out" >&2; exit 1; }
dpkg-deb --field "$deb"

echo "-- lintian $(basename "$deb")"
# Fails on errors and warnings (overridden tags excepted); info tags are printed, not fatal.
lintian --fail-on error,warning --display-info "$deb"
echo "lintian: no errors or warnings; overridden (auditscope.lintian-overrides):"
# --show-overrides counts the overridden tags as failures, hence a second, listing-only run.
lintian --show-overrides --display-info "$deb" | grep '^O:' || true

echo "-- dpkg -c"
dpkg -c "$deb"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "-- appstreamcli validate-tree (the unpacked package)"
dpkg -x "$deb" "$tmp/root"
appstreamcli validate-tree --no-net --no-color "$tmp/root"

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null; then
    echo "-- install test skipped: needs root and apt-get"
elif dpkg-query -W -f='${Status}' auditscope 2> /dev/null | grep -q "ok installed"; then
    echo "-- install test skipped: auditscope is installed already; not replacing it"
else
    echo "-- apt-get install $(basename "$deb")"
    export DEBIAN_FRONTEND=noninteractive
    # Another apt may hold the lock (CI machines run unattended upgrades): wait for it.
    apt=(apt-get -q -y -o DPkg::Lock::Timeout=300)
    # A copy that the _apt user can read, so apt does not warn about an unsandboxed download.
    cp "$deb" "$tmp/" && chmod 755 "$tmp" && chmod 644 "$tmp/$(basename "$deb")"
    "${apt[@]}" install --no-install-recommends "$tmp/$(basename "$deb")" > "$tmp/apt.log" 2>&1 \
        || { cat "$tmp/apt.log"; exit 1; }
    grep -E '^(Setting up|Unpacking) auditscope' "$tmp/apt.log"
    # The checks run in a subshell (with their own set -e) so the package is removed either way.
    set +e
    (
        set -e
        cd /
        /usr/bin/auditscope-cli --version
        QT_QPA_PLATFORM=offscreen /usr/bin/auditscope --version
        /usr/bin/auditscope-cli summary /usr/share/auditscope/samples/incident-story.log.gz \
            | sed -n 1p
        # The GUI starts from /usr/bin (Qt's platform plugin, libraries) and stays up with the
        # installed sample: still running after 5 s is a pass. strace, where it can trace here,
        # shows which sample it opened: the installed one, not the source tree's.
        trace=()
        if strace -o /dev/null true 2> /dev/null; then
            trace=(strace -f -qq -e trace=openat -o "$tmp/trace")
        fi
        rc=0
        QT_QPA_PLATFORM=offscreen "${trace[@]}" timeout 5 /usr/bin/auditscope --sample \
            > "$tmp/gui.log" 2>&1 || rc=$?
        if [ "$rc" -ne 124 ]; then
            cat "$tmp/gui.log"
            echo "auditscope --sample exited with $rc within 5 s" >&2
            exit 1
        fi
        echo "auditscope --sample: running after 5 s"
        if [ ${#trace[@]} -gt 0 ]; then
            sample=/usr/share/auditscope/samples/incident-story.log.gz
            if ! grep -q "openat(.*\"$sample\"" "$tmp/trace"; then
                grep 'samples/' "$tmp/trace" >&2 || true
                echo "auditscope --sample did not open $sample" >&2
                exit 1
            fi
            echo "auditscope --sample opened $sample"
        fi
        # dpkg's triggers registered the MIME type and the file association.
        grep -x 'application/x-kubernetes-audit-log' /usr/share/mime/types
        if [ -f /usr/share/applications/mimeinfo.cache ]; then
            grep '^application/x-kubernetes-audit-log=' /usr/share/applications/mimeinfo.cache
        fi
        echo "-- dpkg -L auditscope"
        dpkg -L auditscope
    )
    status=$?
    set -e
    echo "-- apt-get remove auditscope"
    "${apt[@]}" remove auditscope > "$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; exit 1; }
    grep -E '^Removing auditscope' "$tmp/apt.log"
    [ "$status" -eq 0 ] || exit "$status"
fi
echo "-- package checks passed in $((SECONDS - started)) s"
