"""Oracle for tests/charts.rs: what the real Helm v4 engine thinks of our charts' metadata and values.

Helm cannot render rudder's Tera templates, but it reads Chart.yaml, values.yaml and
values.schema.json exactly as rudder must, so those are checked here.

stdin:  {"charts": [{"path": DIR, "bad_values": {...}}, ...]}
stdout: a JSON list, one per chart, in order:
  {"ok": true, "name", "version", "apiVersion", "dependencies": [names of charts/ subcharts],
   "declared": [{"name", "repository", "condition"}],
   "lint": [{"severity", "path", "error"}, ...]   (every Helm lint message outside templates/),
   "defaults_error": null | "...",                 (schema check of the merged default values)
   "bad_error": null | "..."}                      (schema check of defaults merged with bad_values)
  | {"ok": false, "error": "..."}
"""
import json
import sys

import helm_python as h


def schema_error(chart, values):
    try:
        chart.validate_schema(chart.merge_values(values))
        return None
    except h.HelmError as e:
        return str(e)


def describe(spec):
    try:
        chart = h.Chart.load(spec["path"])
    except h.HelmError as e:
        return {"ok": False, "error": str(e)}
    with chart:
        meta = chart.metadata
        lint = h.lint(spec["path"], strict=True, with_subcharts=True)
        return {
            "ok": True,
            "name": chart.name,
            "version": chart.version,
            "apiVersion": meta.get("apiVersion", ""),
            "dependencies": sorted(d.get("name", "") for d in chart.dependencies),
            "declared": [
                {
                    "name": d.get("name", ""),
                    "repository": d.get("repository", ""),
                    "condition": d.get("condition", ""),
                }
                for d in meta.get("dependencies") or []
            ],
            "lint": [m for m in lint["messages"] if not m["path"].startswith("templates")],
            "defaults_error": schema_error(chart, {}),
            "bad_error": schema_error(chart, spec.get("bad_values") or {}),
        }


def main():
    request = json.load(sys.stdin)
    json.dump([describe(c) for c in request["charts"]], sys.stdout)


if __name__ == "__main__":
    main()
