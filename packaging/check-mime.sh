#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the MIME type definition: well-formed XML, accepted by update-mime-database (into a
# scratch folder, not the system's), and what GIO (GNOME's file managers and file choosers)
# makes of real audit logs and of lookalikes with it. Needs xmllint, update-mime-database, gio.
# Usage: check-mime.sh MIME_XML TEST_DATA_DIR
set -euo pipefail
xml=$1
data=$2
type=application/x-kubernetes-audit-log
gztype=application/x-compressed-kubernetes-audit-log

xmllint --noout "$xml"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/share/mime/packages" "$tmp/home" "$tmp/f"
cp "$xml" "$tmp/share/mime/packages/io.github.auditscope.AuditScope.xml"
export XDG_DATA_HOME=$tmp/home XDG_DATA_DIRS=$tmp/share:/usr/share GIO_USE_VFS=local
# update-mime-database reports what it does not understand on stderr: that fails the check.
PKGSYSTEM_ENABLE_FSYNC=0 update-mime-database "$tmp/share/mime" 2> "$tmp/umd.err"
if [ -s "$tmp/umd.err" ]; then
    cat "$tmp/umd.err" >&2
    echo "check-mime: update-mime-database complained" >&2
    exit 1
fi

# By content: names without a glob, so GIO sniffs the first bytes.
gzip -dc "$data/corpus/microk8s-k8s.log.gz" > "$tmp/f/microk8s-k8s"    # kind, apiVersion
cp "$data/corpus/audit2rbac/demo-v1beta1-2017.log" "$tmp/f/v1beta1"    # audit.k8s.io/v1beta1
cp "$data/corpus/falco/attach_pod.json" "$tmp/f/sorted-keys"           # jq -S style
printf '%s\n' '{"apiVersion":"audit.k8s.io/v1","kind":"Event","level":"Metadata"}' \
    > "$tmp/f/apiversion-first"
printf '%s\n' '{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}' \
    > "$tmp/f/webhook-batch"
# Lookalikes that are not audit logs: a core/v1 Event, any other object.
printf '%s\n' '{"kind":"Event","apiVersion":"v1","metadata":{"name":"x"}}' > "$tmp/f/core-event"
printf '%s\n' '{"kind":"Pod","apiVersion":"v1"}' > "$tmp/f/pod"
# By name: kube-apiserver's own file, and a gzip backup.
cp "$tmp/f/microk8s-k8s" "$tmp/f/audit.log"
gzip -9nc "$tmp/f/microk8s-k8s" > "$tmp/f/audit.log.gz"

failures=0
expect()
{
    local file=$1 want=$2 got
    got=$(gio info -a standard::content-type "$tmp/f/$file" | sed -n 's/^ *standard::content-type: //p')
    if { [ "${want#!}" != "$want" ] && [ "$got" != "${want#!}" ]; } || [ "$got" = "$want" ]; then
        printf 'ok    %-18s %s\n' "$file" "$got"
    else
        printf 'FAIL  %-18s %s (expected %s)\n' "$file" "$got" "$want"
        failures=$((failures + 1))
    fi
}
expect microk8s-k8s "$type"
expect v1beta1 "$type"
expect sorted-keys "$type"
expect apiversion-first "$type"
expect webhook-batch "$type"
expect core-event "!$type"
expect pod "!$type"
expect audit.log "$type"
expect audit.log.gz "$gztype"
# Not asserted: GIO takes a file's type from a suffix glob alone when only one matches, so
# k8s.log stays text/x-log (our type's parent) and the rotated audit-<time>.log(.gz) stay
# text/x-log and application/gzip; Qt's QMimeDatabase (KDE) prefers our longer globs.
exit $((failures > 0))
