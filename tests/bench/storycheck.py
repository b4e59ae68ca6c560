#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Which detection rules flag each incident that auditgen plants (tests/bench/README.md).

    auditgen --events 120000 --seed 3 --rate 20 --out /tmp/st3.log
    auditscope-cli detect --json /tmp/st3.log > /tmp/st3.json
    python3 tests/bench/storycheck.py /tmp/st3.log /tmp/st3.json

Prints, per story step, how many events it has and the rules that flagged them ("NOTHING" when
none did), then the high and critical findings per rule. The steps are found by the names the
generator's stories use; this is a check of the detections, never an input to them.
"""
import collections
import json
import sys


def main(log_path, json_path):
    findings = json.load(open(json_path))["findings"]
    lines = open(log_path).read().split("\n")
    flagged = collections.defaultdict(set)
    for f in findings:
        for e in f["events"]:
            flagged[e["line"]].add(f["rule"])

    def ref(e):
        return e.get("objectRef", {})

    steps = {
        "anonymous probe of secrets": lambda e: e["user"].get("username") == "system:anonymous"
        and ref(e).get("resource") == "secrets",
        "cluster-admin binding debug-access": lambda e: ref(e).get("resource") == "clusterrolebindings"
        and e["verb"] == "create" and "debug-access" in json.dumps(e.get("requestObject", {})),
        "delete prod/app-config": lambda e: e["verb"] == "delete" and ref(e).get("name") == "app-config",
        "build-bot lists secrets": lambda e: e["user"].get("username", "").endswith(":build-bot")
        and e["verb"] == "list" and ref(e).get("resource") == "secrets",
        "privileged pod debug-shell": lambda e: e["verb"] == "create" and ref(e).get("resource") == "pods"
        and not ref(e).get("subresource") and "debug-shell" in json.dumps(e.get("requestObject", {})),
        "exec into debug-shell": lambda e: ref(e).get("subresource") == "exec"
        and ref(e).get("name") == "debug-shell",
    }
    for name, wanted in steps.items():
        rules, count = set(), 0
        for number, text in enumerate(lines, 1):
            if text and wanted(json.loads(text)):
                count += 1
                rules |= flagged.get(number, set())
        print(f"{name}: {count} events, flagged by {', '.join(sorted(rules)) or 'NOTHING'}")
    severe = collections.Counter(f["rule"] for f in findings if f["severity"] in ("high", "critical"))
    print("high or critical:", dict(severe))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
