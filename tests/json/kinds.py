#!/usr/bin/env python3
"""tests/json/kinds.py SCHEMA PLAN_JSON_C: the step kinds plan_json.c's
kind_name() returns are the schema's, each with an args_KIND definition
(a kind added to the plan but not to the schema fails here)."""
import json
import re
import sys

schema = json.load(open(sys.argv[1], encoding="utf-8"))
src = open(sys.argv[2], encoding="utf-8").read()
body = src[src.index("static const char *kind_name"):src.index("static void flags")]
code = set(re.findall(r'case STEP_\w+: return "(\w+)";', body))
enum = set(schema["$defs"]["step"]["properties"]["kind"]["enum"])
args = {k[len("args_"):] for k in schema["$defs"] if k.startswith("args_")}
bad = False
for k in sorted(code - enum):
    print("kind %s: not in the schema's enum" % k)
    bad = True
for k in sorted(enum - code):
    print("kind %s: in the schema, not in plan_json.c" % k)
    bad = True
for k in sorted(enum ^ args):
    print("kind %s: no args_%s definition (or one without its kind)" % (k, k))
    bad = True
sys.exit(1 if bad else 0)
