#!/usr/bin/env python3
"""tests/json/validate.py SCHEMA DEF FILE...: each FILE (one JSON
document; "-" for stdin) against the definition DEF of SCHEMA's $defs
(plan, check, stats). Python's standard library only: the JSON Schema
keywords the schema uses (type, enum, const, properties, required,
additionalProperties, items, minimum, maximum, oneOf, allOf, if/then,
$ref into the same file), each checked strictly; a keyword it does not
know is an error, so the schema cannot say more than is checked.
Prints each problem with its JSON path; exit 1 if there is one."""
import json
import sys

KNOWN = {"$schema", "$id", "$defs", "title", "description", "type", "enum", "const",
         "properties", "required", "additionalProperties", "items", "minimum",
         "maximum", "oneOf", "allOf", "if", "then", "$ref"}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def resolve(root, ref):
    if not ref.startswith("#/"):
        raise ValueError("only local $ref: " + ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def check(root, s, v, path, errs):
    unknown = set(s) - KNOWN
    if unknown:
        raise ValueError("schema keyword(s) not checked: %s" % sorted(unknown))
    if "$ref" in s:
        check(root, resolve(root, s["$ref"]), v, path, errs)
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(TYPES[t](v) for t in types):
            errs.append("%s: %r is not %s" % (path, v, " or ".join(types)))
            return
    if "const" in s and (v != s["const"] or type(v) is not type(s["const"])):
        errs.append("%s: %r is not %r" % (path, v, s["const"]))
    if "enum" in s and not any(v == e and type(v) is type(e) for e in s["enum"]):
        errs.append("%s: %r is not one of %s" % (path, v, s["enum"]))
    if TYPES["number"](v):
        if "minimum" in s and v < s["minimum"]:
            errs.append("%s: %r < %r" % (path, v, s["minimum"]))
        if "maximum" in s and v > s["maximum"]:
            errs.append("%s: %r > %r" % (path, v, s["maximum"]))
    if isinstance(v, dict):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: no %r" % (path, k))
        for k, x in v.items():
            if k in props:
                check(root, props[k], x, "%s.%s" % (path, k), errs)
            elif s.get("additionalProperties", True) is False:
                errs.append("%s: unexpected key %r" % (path, k))
    if isinstance(v, list) and "items" in s:
        for i, x in enumerate(v):
            check(root, s["items"], x, "%s[%d]" % (path, i), errs)
    for sub in s.get("allOf", []):
        check(root, sub, v, path, errs)
    if "oneOf" in s:
        ok = 0
        for sub in s["oneOf"]:
            e = []
            check(root, sub, v, path, e)
            ok += not e
        if ok != 1:
            errs.append("%s: matches %d of oneOf's schemas, not 1" % (path, ok))
    if "if" in s:
        e = []
        check(root, s["if"], v, path, e)
        if not e and "then" in s:
            check(root, s["then"], v, path, errs)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write("usage: validate.py SCHEMA DEF FILE...\n")
        return 2
    with open(argv[1], encoding="utf-8") as f:
        root = json.load(f)
    bad = 0
    for name in argv[3:]:
        f = sys.stdin if name == "-" else open(name, encoding="utf-8")
        try:
            # Strict: the bytes must be UTF-8, and no NaN or Infinity.
            doc = json.loads(f.read(), parse_constant=lambda c: 1 / 0)
        except (ValueError, ZeroDivisionError) as err:
            print("%s: not JSON: %s" % (name, err))
            bad += 1
            continue
        errs = []
        check(root, root["$defs"][argv[2]], doc, "$", errs)
        for e in errs:
            print("%s: %s" % (name, e))
        bad += bool(errs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
