"""Drives the real Helm v4 engine against a sandbox for the interop tests of install/upgrade/
rollback: one step per run ("install", "upgrade" with values, "rollback" to a version, or just
"list"), then reports what Helm sees. Input JSON: kubeconfig, namespace, chart, release, step,
values, version. Output JSON: ok, error, list (name, revision, status) and history (revision,
status, description) of the release as Helm reads them.

Helm names its server-side apply field manager after its program (os.Args[0]): "helm" for the
CLI, but "python" inside this interpreter. To act as the helm CLI does, the script re-executes
itself once with argv[0] "helm" (site-packages passed on through PYTHONPATH)."""
import json
import os
import sys

if os.environ.get("DEPLOY_HELM_ARGV0") != "helm":
    import helm_python

    site = os.path.dirname(os.path.dirname(helm_python.__file__))
    env = dict(os.environ, DEPLOY_HELM_ARGV0="helm")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (site, env.get("PYTHONPATH", "")) if p)
    os.execve(sys.executable, ["helm", os.path.abspath(__file__)], env)

import helm_python as h

inp = json.load(sys.stdin)
ns = inp["namespace"]
name = inp["release"]
cfg = h.Config(kubeconfig_path=inp["kubeconfig"], namespace=ns)
step = inp["step"]
out = {"ok": True, "error": ""}
try:
    if step == "install":
        cfg.install(inp["chart"], name, inp.get("values") or {}, namespace=ns, timeout=30)
    elif step == "upgrade":
        cfg.upgrade(inp["chart"], name, inp.get("values") or {}, namespace=ns, timeout=30)
    elif step == "rollback":
        cfg.rollback(name, version=inp.get("version"), timeout=30)
    elif step == "uninstall":
        cfg.uninstall(name, timeout=30)
except Exception as e:  # the test asserts on the message
    out = {"ok": False, "error": str(e)}
out["list"] = [{k: r[k] for k in ("name", "revision", "status")} for r in cfg.list(all_namespaces=True)]
if step != "uninstall":
    out["history"] = [dict(r) for r in cfg.history(name)]
    out["status"] = dict(cfg.status(name))
print(json.dumps(out))
