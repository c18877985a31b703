"""Drives the real Helm v4 engine against a sandbox: install (creating the namespace), upgrade
(dropping one resource), list, history, rollback, uninstall; or (step "wait") one install that
waits for readiness. Input JSON: kubeconfig, namespace, chart, step (for "wait" also release,
values, timeout). Output JSON: what each step returned (the test checks the sandbox's state
between runs through its own API); for "wait": ok, error, seconds, status."""
import json
import sys
import time

import helm_python as h

inp = json.load(sys.stdin)
ns = inp["namespace"]
cfg = h.Config(kubeconfig_path=inp["kubeconfig"], namespace=ns)
step = inp["step"]
out = {}
if step == "wait":
    start = time.monotonic()
    try:
        cfg.install(inp["chart"], inp["release"], inp["values"], namespace=ns, create_namespace=True,
                    wait="watcher", timeout=inp["timeout"])
        out = {"ok": True, "error": ""}
    except Exception as e:  # the test asserts on the message
        out = {"ok": False, "error": str(e)}
    out["seconds"] = time.monotonic() - start
    out["status"] = [r["status"] for r in cfg.list(all_namespaces=True) if r["name"] == inp["release"]]
    print(json.dumps(out))
    sys.exit(0)
elif step == "install":
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
