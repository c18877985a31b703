"""Drives the real Helm v4 engine against a sandbox for tests/release_inspect.rs: runs a list
of operations (install, upgrade, uninstall, list, history, status, get_values, get_metadata)
and prints each one's result as JSON. Input JSON: kubeconfig, ops: [{op, name, namespace,
driver, chart, values, ...}]. Output JSON: [result per op] (errors as {"error": text})."""
import json
import sys

import helm_python as h

inp = json.load(sys.stdin)
configs = {}


def cfg(ns, driver):
    key = (ns, driver)
    if key not in configs:
        configs[key] = h.Config(kubeconfig_path=inp["kubeconfig"], namespace=ns, storage_driver=driver)
    return configs[key]


def plain(x):
    return json.loads(json.dumps(x, default=lambda o: o.__dict__ if hasattr(o, "__dict__") else str(o)))


out = []
for op in inp["ops"]:
    c = cfg(op.get("namespace", "default"), op.get("driver", "secret"))
    kind = op["op"]
    try:
        if kind == "install":
            r = c.install(op["chart"], op["name"], op.get("values", {}), namespace=op.get("namespace", "default"),
                          create_namespace=True, timeout=30, labels=op.get("labels"))
        elif kind == "upgrade":
            r = c.upgrade(op["chart"], op["name"], op.get("values", {}), namespace=op.get("namespace", "default"),
                          timeout=30)
        elif kind == "uninstall":
            r = c.uninstall(op["name"], keep_history=op.get("keep_history", False), timeout=30)
        elif kind == "list":
            r = c.list(all_states=op.get("all_states", False), all_namespaces=op.get("all_namespaces", False))
        elif kind == "history":
            r = c.history(op["name"])
        elif kind == "status":
            r = c.status(op["name"], revision=op.get("revision"))
        elif kind == "get_values":
            r = c.get_values(op["name"], all_values=op.get("all", False), revision=op.get("revision"))
        elif kind == "get_metadata":
            r = c.get_metadata(op["name"], revision=op.get("revision"))
        else:
            raise ValueError(kind)
        out.append(plain(r))
    except h.HelmError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
