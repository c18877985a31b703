"""Oracle for values files: reads YAML texts with the real Helm v4 `loader.LoadValues`.

Helm's `-f` files and a chart's values.yaml go through the same LoadValues; helm_python exposes it
through `Chart.load(dir).values`, so each text is written as the values.yaml of a scratch chart.

stdin:  {"docs": ["a: 1\n", ...]}
stdout: a JSON list, per text {"ok": true, "value": {...}} or {"ok": false, "error": "..."}
"""

import json
import os
import sys
import tempfile

import helm_python

CHART_YAML = "apiVersion: v2\nname: oracle\nversion: 0.1.0\n"


def load(text: str) -> dict:
    with tempfile.TemporaryDirectory() as chart:
        with open(os.path.join(chart, "Chart.yaml"), "w", encoding="utf-8") as f:
            f.write(CHART_YAML)
        with open(os.path.join(chart, "values.yaml"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            return {"ok": True, "value": helm_python.Chart.load(chart).values}
        except helm_python.HelmError as e:
            return {"ok": False, "error": str(e)}


def main() -> None:
    request = json.load(sys.stdin)
    json.dump([load(text) for text in request["docs"]], sys.stdout)


if __name__ == "__main__":
    main()
