"""Oracle for tests/coalesce_differential.rs: Helm 4's view of a chart's values.

stdin:  {"dir": "<chart directory>", "values": {...user values...}}
stdout: {
  "merge":  Helm's CoalesceValues(chart, values) (no dependency processing), or null,
  "merge_error": the error message, or null,
  "render": {"<chart path>": <that chart's .Values>} for every chart that rendered, or null,
  "render_error": the error message, or null
}

"render" goes through the real engine (ProcessDependencies + ToRenderValues): a copy of the
chart gets, in every chart and subchart directory, a template that prints `.Values | toJson`,
so conditions, tags, aliases and import-values are all applied. Chart paths are the engine's:
`parent`, `parent/charts/<name or alias>`, ...
"""

import json
import os
import shutil
import sys
import tempfile

import helm_python as helm

DUMP = "zz-rudder-values-dump.yaml"


def add_dump_templates(chart_dir):
    """Adds the dump template to a chart and, recursively, to its directory subcharts."""
    templates = os.path.join(chart_dir, "templates")
    os.makedirs(templates, exist_ok=True)
    with open(os.path.join(templates, DUMP), "w") as f:
        f.write("{{ .Values | toJson }}\n")
    charts = os.path.join(chart_dir, "charts")
    if os.path.isdir(charts):
        for entry in sorted(os.listdir(charts)):
            sub = os.path.join(charts, entry)
            if os.path.isdir(sub):
                add_dump_templates(sub)


def merged(chart_dir, values):
    try:
        with helm.Chart.load(chart_dir) as chart:
            return chart.merge_values(values), None
    except helm.HelmError as e:
        return None, str(e)


def rendered(chart_dir, values):
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, os.path.basename(os.path.normpath(chart_dir)))
        shutil.copytree(chart_dir, copy)
        add_dump_templates(copy)
        try:
            with helm.Chart.load(copy) as chart:
                manifests = chart.render(values)
        except helm.HelmError as e:
            return None, str(e)
    suffix = "/templates/" + DUMP
    return {
        path[: -len(suffix)]: json.loads(text)
        for path, text in manifests.items()
        if path.endswith(suffix)
    }, None


def main():
    request = json.load(sys.stdin)
    merge, merge_error = merged(request["dir"], request["values"])
    render, render_error = rendered(request["dir"], request["values"])
    json.dump(
        {
            "merge": merge,
            "merge_error": merge_error,
            "render": render,
            "render_error": render_error,
        },
        sys.stdout,
    )


main()
