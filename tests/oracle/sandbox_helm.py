"""Drives the real Helm v4 engine against a sandbox: install (creating the namespace), upgrade
(dropping one resource), list, history, rollback, uninstall. Input JSON: kubeconfig, namespace,
chart. Output JSON: what each step returned (the test checks the sandbox's state between runs
through its own API)."""
import json
import sys

import helm_python as h

inp = json.load(sys.stdin)
ns = inp["namespace"]
cfg = h.Config(kubeconfig_path=inp["kubeconfig"], namespace=ns)
step = inp["step"]
out = {}
if step == "install":
    r = cfg.install(inp["chart"], "rel", {"replicas": 1}, namespace=ns, create_namespace=True, timeout=30)
    out["version"] = r.get("revision")
elif step == "upgrade":
    r = cfg.upgrade(inp["chart"], "rel", {"replicas": 2, "extra": False}, namespace=ns, timeout=30)
    out["version"] = r.get("revision")
elif step == "rollback":
    cfg.rollback("rel", version=1, timeout=30)
elif step == "uninstall":
    cfg.uninstall("rel", timeout=30)
out["list"] = [{k: r[k] for k in ("name", "namespace", "revision", "status")} for r in cfg.list(all_namespaces=True)]
if step != "uninstall":
    out["history"] = [{k: r[k] for k in ("revision", "status")} for r in cfg.history("rel")]
print(json.dumps(out))
