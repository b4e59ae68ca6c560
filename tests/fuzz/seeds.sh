#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes the seed inputs of fuzz target TARGET into DIR (created), from tests/data and
# seeds/query.txt, so that no seed files need to be committed. Usage: seeds.sh TARGET DIR
set -euo pipefail
target=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data
mkdir -p "$out"

# Audit logs in pieces of four lines, pretty-printed events (falco), and the start of a
# real cluster's log.
audit_logs() {
    local dir=$1 n=0 f
    while IFS= read -r f; do
        n=$((n + 1))
        split -l 4 -d -a 3 "$f" "$dir/log$n-"
    done < <(find "$data/chain" "$data/policies/impact" "$data/corpus/audit2rbac" -name '*.log' | sort)
    cp "$data"/corpus/falco/*.json "$dir/"
    # head closes the pipe early: zcat's SIGPIPE is expected.
    (set +o pipefail; zcat "$data/corpus/microk8s-k8s.log.gz" | head -n 12 > "$dir/microk8s-head.log")
}

case $target in
lineparser)
    audit_logs "$out"
    ;;
gzip)
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    audit_logs "$tmp"
    for f in "$tmp"/log1-000 "$tmp"/log4-001 "$tmp"/exec_pod.json "$tmp"/microk8s-head.log; do
        gzip -c "$f" > "$out/$(basename "$f").gz" # keeps the name: FNAME in the header
        gzip -c -n -1 "$f" > "$out/$(basename "$f")-nameless-fast.gz"
    done
    cat "$out/log1-000.gz" "$out/log4-001.gz" > "$out/two-members.gz"
    head -c 300 "$out/microk8s-head.log.gz" > "$out/truncated.gz"
    head -c 4096 "$data/corpus/microk8s-k8s.log.gz" > "$out/microk8s-start.gz"
    { cat "$out/log1-000.gz"; printf '\0\0\0\0'; } > "$out/zero-padded.gz"
    { cat "$out/log1-000.gz"; printf 'junk'; } > "$out/trailing-junk.gz"
    printf 'not gzip at all\n' > "$out/plain.log"
    ;;
sniffer)
    audit_logs "$out"
    log=$out/log1-000
    for enc in UTF-16LE UTF-16BE UTF-32LE UTF-32BE UTF-16 UTF-32; do # the last two with a BOM
        iconv -f UTF-8 -t "$enc" "$log" > "$out/log-$enc"
    done
    printf '\xef\xbb\xbf' | cat - "$log" > "$out/log-utf8-bom"
    printf '\x28\xb5\x2f\xfd\x24\x00' > "$out/zstd"
    printf '\xfd7zXZ\x00\x00\x04' > "$out/xz"
    printf 'BZh91AY&SY' > "$out/bzip2"
    printf '\x04\x22\x4d\x18\x64\x40' > "$out/lz4"
    printf 'PK\x03\x04\x14\x00' > "$out/zip"
    printf '7z\xbc\xaf\x27\x1c\x00\x04' > "$out/7z"
    printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00' > "$out/elf"
    printf 'AUDIT: id="5c2d0b6e" ip="10.0.0.1" method="GET" user="admin" groups="\\"system:masters\\"" as="<self>" asgroups="<lookup>" namespace="default" uri="/api/v1/pods"\n' > "$out/legacy"
    { printf '[\n'; head -n 1 "$log"; printf ',\n'; sed -n 2p "$log"; printf ']\n'; } > "$out/json-array"
    printf ' \t\r\n\n' > "$out/whitespace"
    printf 'hello, this is not JSON\n' > "$out/text"
    ;;
policy)
    cp "$data"/policies/*.yaml "$out/"
    printf '{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"Metadata","resources":[{"group":"","resources":["pods/*"]}]}]}\n' > "$out/json-policy.json"
    ;;
rules)
    # The built-in pack, the README's example of a user's file, and a few small shapes.
    cp "$here/../../model/detect/builtinrules.yaml" "$out/builtin.yaml"
    sed -n '/^### Your own rules/,/^```$/p' "$here/../../README.md" | sed -n '/^```yaml$/,/^```$/p' \
        | sed '1d;$d' > "$out/readme-example.yaml"
    printf 'rules:\n- id: port-forward\n  disabled: true\n' > "$out/disable"
    printf 'settings:\n  productionNamespaces: [live]\nrules:\n- id: x\n  title: X\n  severity: high\n  match: ns:$production and verb:delete\n  threshold: {count: 2, window: 5m, by: [user, ip], distinct: name}\n' > "$out/threshold"
    printf 'rules:\n- id: s\n  title: S\n  severity: low\n  match: verb:create\n  sequence: {then: subresource:exec, window: 30m}\n' > "$out/sequence"
    ;;
query)
    n=0
    while IFS= read -r line; do
        n=$((n + 1))
        printf '%s' "$line" > "$out/query$n"
    done < "$here/seeds/query.txt"
    ;;
*)
    echo "seeds.sh: unknown target '$target'" >&2
    exit 2
    ;;
esac
