"""Render a chart with the real Helm v4 engine.

stdin: {"charts": [{"path": DIR, "values": {...}, "name": "rel", "namespace": "ns"}, ...]}
stdout: a JSON list, per chart {"ok": true, "outputs": {template_path: text}} or {"ok": false, "error": "..."}
"""
import json
import sys

import helm_python as h

req = json.load(sys.stdin)
results = []
for c in req["charts"]:
    try:
        chart = h.Chart.load(c["path"])
        out = chart.render(c.get("values") or {}, name=c.get("name", "release-name"),
                           namespace=c.get("namespace", "default"))
        results.append({"ok": True, "outputs": out})
    except Exception as e:  # noqa: BLE001 - every engine error is data for the test
        results.append({"ok": False, "error": f"{type(e).__name__}: {e}"})
json.dump(results, sys.stdout)
