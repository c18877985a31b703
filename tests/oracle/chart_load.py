"""Oracle for tests/chart_load.rs: loads charts with the real Helm v4 engine.

stdin:  {"paths": ["/path/to/chart-or-tgz", ...]}
stdout: [{"ok": true, "name", "version", "apiVersion", "templates": [...], "files": [...],
          "dependencies": [...], "values": {...}, "schema": ...}
         | {"ok": false, "error": "..."}, ...]   (one per path, in order)
"""
import json
import sys

import helm_python


def describe(path):
    try:
        chart = helm_python.Chart.load(path)
    except helm_python.HelmError as e:
        return {"ok": False, "error": str(e)}
    with chart:
        meta = chart.metadata
        return {
            "ok": True,
            "name": chart.name,
            "version": chart.version,
            "apiVersion": meta.get("apiVersion", ""),
            "templates": sorted(t["name"] for t in chart.templates),
            "files": sorted(f["name"] for f in chart.files),
            "dependencies": sorted(d.get("name", "") for d in chart.dependencies),
            "values": chart.values or {},
            "schema": chart.schema,
        }


def main():
    request = json.load(sys.stdin)
    json.dump([describe(p) for p in request["paths"]], sys.stdout)


if __name__ == "__main__":
    main()
