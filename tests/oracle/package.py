"""Oracle for tests/package.rs and tests/repo_index.rs: the real Helm v4 engine on archives and
repositories.

stdin: {"op": ..., ...}; stdout: JSON. Ops:
  describe       {"paths": [tgz...]} -> [{"ok", "metadata", "dependencies", "templates", "files",
                 "values", "schema", "digest", "members": {name: text-or-null}} | {"ok": false, "error"}]
                 (members: every tar entry, its text except for Chart.yaml files, which Helm
                 re-serialises; compare those through "metadata"/"dependencies")
  helm_package   {"charts": [dir...], "destination": dir} -> [tgz path...]
  index_generate {"directory": dir, "base_url": str|null} -> the index Helm generates (dict)
  repo           {"url": str, "home": dir, "destination": dir}
                 -> {"index": dict, "pulled": [{"name", "version", "path", "digest"}]}
"""
import json
import os
import sys
import tarfile

import helm_python


def text(data):
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


def describe(path):
    try:
        chart = helm_python.Chart.load(path)
    except helm_python.HelmError as e:
        return {"ok": False, "error": str(e)}
    with chart:
        out = {
            "ok": True,
            "metadata": chart.metadata,
            "dependencies": sorted(chart.dependencies, key=lambda d: d.get("name", "")),
            "templates": {t["name"]: text(t["data"]) for t in chart.templates},
            "files": {f["name"]: text(f["data"]) for f in chart.files},
            "values": chart.values or {},
            "schema": chart.schema,
        }
    out["digest"] = helm_python.digest(path)
    members = {}
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            if m.name.endswith("/Chart.yaml"):
                members[m.name] = None
            else:
                members[m.name] = tar.extractfile(m).read().decode("utf-8", "replace")
    out["members"] = members
    return out


def repo(request):
    home = request["home"]
    for var, sub in [
        ("HELM_CACHE_HOME", "cache"),
        ("HELM_CONFIG_HOME", "config"),
        ("HELM_DATA_HOME", "data"),
        ("HELM_REPOSITORY_CACHE", "cache/repository"),
        ("HELM_REPOSITORY_CONFIG", "config/repositories.yaml"),
    ]:
        os.environ[var] = os.path.join(home, sub)
    index = helm_python.repo_index(request["url"])
    pulled = []
    for name, versions in sorted(index["entries"].items()):
        for v in versions:
            dest = os.path.join(request["destination"], name + "-" + v["version"])
            os.makedirs(dest, exist_ok=True)
            helm_python.pull(name, repo_url=request["url"], version=v["version"], destination=dest)
            files = os.listdir(dest)
            path = os.path.join(dest, files[0])
            pulled.append({
                "name": name,
                "version": v["version"],
                "path": path,
                "digest": helm_python.digest(path),
            })
    return {"index": index, "pulled": pulled}


def main():
    request = json.load(sys.stdin)
    op = request["op"]
    if op == "describe":
        result = [describe(p) for p in request["paths"]]
    elif op == "helm_package":
        result = [
            helm_python.package(c, destination=request["destination"]) for c in request["charts"]
        ]
    elif op == "index_generate":
        result = helm_python.repo_index_generate(
            request["directory"], base_url=request.get("base_url")
        )
    elif op == "repo":
        result = repo(request)
    else:
        raise SystemExit("unknown op " + op)
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
