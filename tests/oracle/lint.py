"""Lint charts with the real Helm v4 linter.

stdin: {"charts": [{"path": DIR, "values": {...}, "kube_version": "v1.25.0" | null, "strict": bool}, ...]}
stdout: a JSON list, per chart {"messages": [{"severity": "INFO"|"WARNING"|"ERROR", "path", "text"}], "failed": bool}
"""
import json
import sys

import helm_python as h

SEVERITIES = {0: "UNKNOWN", 1: "INFO", 2: "WARNING", 3: "ERROR"}

req = json.load(sys.stdin)
results = []
for c in req["charts"]:
    r = h.lint(c["path"], c.get("values") or {}, strict=c.get("strict", False),
               kube_version=c.get("kube_version"))
    results.append({
        "messages": [{"severity": SEVERITIES[m["severity"]], "path": m["path"], "text": m["error"]}
                     for m in r["messages"]],
        "failed": bool(r["errors"]),
    })
json.dump(results, sys.stdout)
