"""Oracle for the --set family: parses expressions with the real Helm v4 strvals.

stdin:  {"kind": "set" | "string" | "json" | "literal" | "file", "exprs": ["a=1", ...]}
        ("file" reads the files named by the values, relative to the oracle's working directory)
stdout: a JSON list, per expression {"ok": true, "value": {...}} or {"ok": false, "error": "..."}
"""

import json
import sys

import helm_python

PARSERS = {
    "set": helm_python.parse_set_string,
    "string": helm_python.parse_set_string_values,
    "json": helm_python.parse_set_json,
    "literal": helm_python.parse_set_literal,
    "file": helm_python.parse_set_file,
}


def main() -> None:
    request = json.load(sys.stdin)
    parse = PARSERS[request["kind"]]
    results = []
    for expr in request["exprs"]:
        try:
            results.append({"ok": True, "value": parse(expr)})
        except helm_python.HelmError as e:
            results.append({"ok": False, "error": str(e)})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
