"""Scaffold a chart with the real Helm v4 `create`, then render it.

stdin: {"name": "mychart", "dir": DIR, "renders": [{"values": {...}, "name": "rel", "namespace": "ns"}, ...]}
stdout: a JSON list, per render {"ok": true, "outputs": {template_path: text}} or {"ok": false, "error": "..."}
"""
import json
import sys

import helm_python as h

req = json.load(sys.stdin)
chart = h.Chart.create(req["name"], req["dir"])
results = []
for r in req["renders"]:
    try:
        out = chart.render(r.get("values") or {}, name=r.get("name", "release-name"),
                           namespace=r.get("namespace", "default"))
        results.append({"ok": True, "outputs": out})
    except Exception as e:  # noqa: BLE001 - every engine error is data for the test
        results.append({"ok": False, "error": f"{type(e).__name__}: {e}"})
json.dump(results, sys.stdout)
