"""Oracle for tests/dependency.rs: the real Helm v4 engine's dependency commands.

stdin:  {"ops": [{"op": "package", "path": DIR, "dest": DIR}
                 | {"op": "list", "path": DIR}
                 | {"op": "update", "path": DIR}
                 | {"op": "build", "path": DIR}, ...]}
stdout: [result per op, in order]: package -> archive path; list -> [{name, version, repository,
        status}]; update/build -> {"ok": true} | {"ok": false, "error": "..."}
"""
import json
import sys

import helm_python


def run(op):
    kind = op["op"]
    if kind == "package":
        return helm_python.package(op["path"], destination=op["dest"])
    if kind == "list":
        return helm_python.dependency_list(op["path"])
    try:
        if kind == "update":
            helm_python.dependency_update(op["path"])
        elif kind == "build":
            helm_python.dependency_build(op["path"])
        else:
            raise SystemExit(f"unknown op {kind}")
        return {"ok": True}
    except helm_python.HelmError as e:
        return {"ok": False, "error": str(e)}


ops = json.load(sys.stdin)["ops"]
json.dump([run(op) for op in ops], sys.stdout)
