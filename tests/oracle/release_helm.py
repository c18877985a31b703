"""Drives the real Helm v4 engine against a sandbox for the release storage tests.
Input JSON: kubeconfig, namespace, step, and for "install" chart. Steps:
- "install": install release "rel" (values {"a": 2, "b": {"c": [1, "x"]}}, label team=x), then
  upgrade it (values {"a": 3}); output Helm's own view (get_all) of each revision.
- "inspect": Helm's view of release "ours" (written by rudder): list, history, values, get_all
  of each revision; then uninstall it and list again.
Output JSON on stdout."""
import json
import sys

import helm_python as h

inp = json.load(sys.stdin)
ns = inp["namespace"]
cfg = h.Config(kubeconfig_path=inp["kubeconfig"], namespace=ns)
out = {}
if inp["step"] == "install":
    cfg.install(inp["chart"], "rel", {"a": 2, "b": {"c": [1, "x"]}}, namespace=ns,
                create_namespace=True, timeout=30, labels={"team": "x"})
    cfg.upgrade(inp["chart"], "rel", {"a": 3}, namespace=ns, timeout=30)
    out["revisions"] = {str(v): cfg.get_all("rel", revision=v) for v in (1, 2)}
elif inp["step"] == "inspect":
    out["list"] = cfg.list(all_namespaces=True)
    out["history"] = cfg.history("ours")
    out["values"] = cfg.get_values("ours")
    out["revisions"] = {str(r["revision"]): cfg.get_all("ours", revision=r["revision"])
                        for r in out["history"]}
    cfg.uninstall("ours", timeout=30)
    out["after"] = [r["name"] for r in cfg.list(all_namespaces=True, all_states=True)]
print(json.dumps(out, default=str))
