#!/usr/bin/python3
"""Evaluates contrib/zabbix's template the way a Zabbix 6.0 server would, for the engine test.

  zabbix_template.py TEMPLATE keys [{$MACRO}=VALUE ...]
      prints the template's master item keys with user macros resolved, one per line.
  zabbix_template.py TEMPLATE eval VALUES.json [{$MACRO}=VALUE ...]
      VALUES.json maps resolved master keys to the text the agent returned. Runs every
      dependent item's JSONPATH preprocessing on its master's value, every dependent discovery
      rule (JSONPath + lld_macro_paths + filter) and its item prototypes, and the triggers of
      the form `last(/T/key) OP constant`. Prints one JSON object:
      {"items": {key: value}, "errors": {key: message}, "lld": {rule: [{macro: value}]},
       "triggers": [{"name", "priority", "fired"}]}.
Macros: the template's defaults, overridden by the command line. Only the JSONPath subset the
template uses is implemented ($, .name, ['name'], [n], [*], [?(@.a.b OP literal)], and the
functions first(), length(), sum(), min(), max(), avg()); anything else is an error, so the
test fails rather than guesses.
"""
import json
import re
import sys

import yaml


class PathError(Exception):
    pass


def _literal(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    try:
        return float(s) if "." in s else int(s)
    except ValueError:
        raise PathError("unsupported literal %r" % s)


def _get(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


OPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
       "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b}
FUNCS = {"first", "length", "sum", "min", "max", "avg"}


def jsonpath(doc, path):
    """Returns the Zabbix JSONPath result as text, or raises PathError."""
    if not path.startswith("$"):
        raise PathError("path must start with $")
    i, n = 1, len(path)
    nodes, definite, func = [doc], True, None
    while i < n:
        c = path[i]
        if c == ".":
            m = re.match(r"\.([A-Za-z_][A-Za-z0-9_]*)(\(\))?", path[i:])
            if not m:
                raise PathError("bad segment at %d" % i)
            name = m.group(1)
            if m.group(2):
                if name not in FUNCS or i + len(m.group(0)) != n:
                    raise PathError("unsupported function %s" % name)
                func = name
                break
            nodes = [x[name] for x in nodes if isinstance(x, dict) and name in x]
            i += len(m.group(0))
        elif c == "[":
            j = path.find("]", i)
            if path.startswith("[?(", i):
                j = path.find(")]", i) + 1
            if j <= i:
                raise PathError("unclosed [ at %d" % i)
            inner = path[i + 1:j]
            i = j + 1
            if inner == "*":
                definite = False
                nodes = [v for x in nodes for v in (x if isinstance(x, list) else
                                                     list(x.values()) if isinstance(x, dict) else [])]
            elif re.fullmatch(r"-?\d+", inner):
                k = int(inner)
                nodes = [x[k] for x in nodes if isinstance(x, list) and -len(x) <= k < len(x)]
            elif inner[:1] in "'\"":
                name = _literal(inner)
                nodes = [x[name] for x in nodes if isinstance(x, dict) and name in x]
            elif inner.startswith("?(") and inner.endswith(")"):
                m = re.fullmatch(r"\?\(\s*@\.([A-Za-z0-9_.]+)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*\)", inner)
                if not m:
                    raise PathError("unsupported filter %s" % inner)
                field, op, lit = m.group(1), m.group(2), _literal(m.group(3))
                definite = False
                out = []
                for x in nodes:
                    for el in (x if isinstance(x, list) else []):
                        v = _get(el, field)
                        if v is not None and type(v) is not bool:
                            try:
                                if OPS[op](v, lit):
                                    out.append(el)
                            except TypeError:
                                pass
                nodes = out
            else:
                raise PathError("unsupported selector [%s]" % inner)
        else:
            raise PathError("unexpected %r at %d" % (c, i))
    if func:
        if func == "length":
            return str(len(nodes[0]) if definite and nodes and isinstance(nodes[0], list) else len(nodes))
        if not nodes:
            raise PathError("no data matches the specified path")
        if func == "first":
            return _text(nodes[0])
        nums = [float(x) for x in nodes]
        r = {"sum": sum(nums), "min": min(nums), "max": max(nums), "avg": sum(nums) / len(nums)}[func]
        return _text(r)
    if not nodes:
        raise PathError("no data matches the specified path")
    return _text(nodes[0]) if definite else json.dumps(nodes)


def _text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return json.dumps(v)


def subst(s, macros):
    return re.sub(r"\{\$[A-Z0-9_.]+\}|\{#[A-Z0-9_.]+\}|\{ITEM\.LASTVALUE\}", lambda m: macros.get(m.group(0), m.group(0)), s)


def preprocess(steps, value, macros):
    for st in steps or []:
        if st["type"] != "JSONPATH":
            raise PathError("unsupported preprocessing %s" % st["type"])
        value = jsonpath(json.loads(value), subst(st["parameters"][0], macros))
    return value


def check_value(value, value_type):
    if value_type in (None, "UNSIGNED"):
        if not re.fullmatch(r"\d+", value):
            raise PathError("value %r is not an unsigned integer" % value)
    elif value_type == "FLOAT":
        float(value)


TRIG = re.compile(r"^last\(/[^/]+/(.+)\)\s*(=|<>|>=|<=|>|<)\s*(\"[^\"]*\"|-?[0-9.]+)$")


def eval_trigger(expr, items, macros):
    m = TRIG.match(subst(expr, macros))
    if not m:
        return None                     # nodata() and friends: not evaluable offline
    key, op, lit = m.group(1), m.group(2), m.group(3)
    if key not in items:
        return None
    v = items[key]
    macros["{ITEM.LASTVALUE}"] = v
    if lit.startswith('"'):
        a, b = v, lit[1:-1]
    else:
        a, b = float(v), float(lit)
    return {"=": a == b, "<>": a != b, ">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


def main(argv):
    # every template of the file (the per-check one and the farm one), as one: their item keys
    # differ, their shared macros hold the same defaults
    tpl = {"items": [], "macros": [], "discovery_rules": []}
    for t in yaml.safe_load(open(argv[1]))["zabbix_export"]["templates"]:
        for k in tpl:
            tpl[k] += t.get(k, [])
    cmd = argv[2]
    rest = argv[3:]
    values = {}
    if cmd == "eval":
        values = json.load(open(rest[0]))
        rest = rest[1:]
    macros = {m["macro"]: str(m.get("value", "")) for m in tpl.get("macros", [])}
    for a in rest:
        k, v = a.split("=", 1)
        macros[k] = v
    items = tpl.get("items", [])
    masters = [it for it in items if it.get("type", "ZABBIX_PASSIVE") != "DEPENDENT"]
    if cmd == "keys":
        for it in masters:
            print(subst(it["key"], macros))
        return 0
    out = {"items": {}, "errors": {}, "lld": {}, "triggers": []}

    def run_item(it, mac):
        key = subst(it["key"], mac)
        mkey = subst(it["master_item"]["key"], mac)
        if mkey not in values:
            out["errors"][key] = "master item %s has no value" % mkey
            return
        try:
            v = preprocess(it.get("preprocessing"), values[mkey], mac)
            check_value(v, it.get("value_type"))
            out["items"][key] = v
        except (PathError, ValueError) as e:
            out["errors"][key] = str(e)

    def run_triggers(trigs, mac):
        for t in trigs or []:
            mac = dict(mac)
            fired = eval_trigger(t["expression"], out["items"], mac)
            if fired is not None:
                out["triggers"].append({"name": subst(t["name"], mac), "priority": t.get("priority"),
                                        "fired": fired})

    for it in items:
        if it.get("type") == "DEPENDENT":
            run_item(it, macros)
    for it in items:
        run_triggers(it.get("triggers"), macros)
    for rule in tpl.get("discovery_rules", []):
        rkey = subst(rule["key"], macros)
        mkey = subst(rule["master_item"]["key"], macros)
        rows = []
        try:
            data = json.loads(preprocess(rule.get("preprocessing"), values[mkey], macros))
            for obj in data:
                row = {}
                for p in rule.get("lld_macro_paths", []):
                    try:
                        row[p["lld_macro"]] = jsonpath(obj, p["path"])
                    except PathError:
                        pass
                conds = (rule.get("filter") or {}).get("conditions", [])
                keep = True
                for c in conds:
                    val = row.get(c["macro"])
                    hit = val is not None and re.search(c["value"], val) is not None
                    keep &= (not hit) if c.get("operator") == "NOT_MATCHES_REGEX" else hit
                if keep:
                    rows.append(row)
        except (PathError, KeyError, ValueError, TypeError) as e:
            out["errors"][rkey] = str(e)
        out["lld"][rkey] = rows
        for row in rows:
            mac = dict(macros, **row)
            for proto in rule.get("item_prototypes", []):
                run_item(proto, mac)
            for proto in rule.get("item_prototypes", []):
                run_triggers(proto.get("trigger_prototypes"), mac)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
