#!/usr/bin/env python3
"""Generate the Icinga Director basket (director-basket.json) from iwa-commands.conf.

The basket holds every CheckCommand of iwa-commands.conf with all its arguments (value,
set_if, repeat_key, required, description), one Director data field per custom variable
(string; boolean for set_if; array for repeat_key) attached to its command, and the service
templates matching iwa-services.conf. Restore it with
    icingacli director basket restore < director-basket.json
(or Director > Configuration Baskets > Upload). The JSON is generated, never edited by hand:
    contrib/icinga2/make-director-basket.py > contrib/icinga2/director-basket.json
tests/engines/director.sh checks the committed file equals a fresh generation and that the
Director renders every command with the same arguments as iwa-commands.conf.

Usage: make-director-basket.py [--conf FILE]            print the basket JSON
       make-director-basket.py --args FILE               print FILE's CheckCommand arguments
                                                         (a .conf or the Director's rendering) as JSON
"""
import json
import re
import sys
from collections import OrderedDict

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
DT = "Icinga\\Module\\Director\\DataType\\"

# Service templates as in iwa-services.conf: (name, check_command, extra attributes, vars)
TEMPLATES = [
    ("iwa-spn-unique", "spn_unique", {}, {}),
    ("iwa-spn-audit", "spn_unique", {"check_interval": "3600"}, {"spn_unique_all": True}),
    ("iwa-negotiate-backend", "negotiate_backend", {}, {"negotiate_backend_no_vip": True}),
    ("iwa-negotiate-vip", "negotiate_backend", {}, {}),
    ("iwa-batch-logon-gpo", "batch_logon_gpo", {}, {}),
    ("iwa-farm", "iwa_farm", {}, {}),
]


def unquote(s):
    """Icinga 2 string literal body -> value (\\\\ -> \\, \\" -> ")."""
    return re.sub(r'\\(.)', r'\1', s)


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    return re.sub(r'(?m)^\s*(//|#).*$', '', text)


STR = r'"((?:[^"\\]|\\.)*)"'


def parse_commands(text):
    """CheckCommand objects of an Icinga 2 config (ours or the Director's rendering):
    {name: {"command": ..., "timeout": ..., "arguments": {key: {attr: value}}}} in file order."""
    text = strip_comments(text)
    cmds = OrderedDict()
    for m in re.finditer(r'object CheckCommand ' + STR + r' \{', text):
        name = unquote(m.group(1))
        body = block(text, m.end() - 1)
        c = {"arguments": OrderedDict()}
        cm = re.search(r'(?m)^\s*command = \[\s*(.*?)\s*\]', body)
        if cm:
            c["command"] = cm.group(1)
        tm = re.search(r'(?m)^\s*timeout = (\S+)', body)
        if tm:
            c["timeout"] = tm.group(1)
        am = re.search(r'(?m)^\s*arguments \+?= \{', body)
        if am:
            args = block(body, am.end() - 1)
            for a in re.finditer(r'(?m)^\s*' + STR + r' = \{', args):
                key = unquote(a.group(1))
                attrs = OrderedDict()
                for line in block(args, a.end() - 1).splitlines():
                    lm = re.match(r'\s*(\w+) = (.*?)\s*$', line)
                    if not lm:
                        continue
                    v = lm.group(2)
                    sm = re.fullmatch(STR, v)
                    attrs[lm.group(1)] = unquote(sm.group(1)) if sm else {"true": True, "false": False}.get(v, v)
                c["arguments"][key] = attrs
        cmds[name] = c
    return cmds


def block(text, brace):
    """Inside of the {...} whose opening brace is at index brace (strings may hold braces)."""
    depth, i, n = 0, brace, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == '\\' else 1
        elif ch == '{':
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                return text[brace + 1:i]
        i += 1
    raise ValueError("unbalanced braces")


def seconds(t):
    m = re.fullmatch(r'(\d+)([smh]?)', t)
    return str(int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)])


def var_of(attr):
    m = re.fullmatch(r'\$(\w+)\$', attr)
    return m.group(1) if m else None


def basket(cmds):
    out = OrderedDict([("Command", OrderedDict()), ("ServiceTemplate", OrderedDict()),
                       ("Datafield", OrderedDict())])
    fid = 0
    for name, c in cmds.items():
        pm = re.fullmatch(r'PluginDir \+ "/([^"]+)"', c["command"])
        if not pm:
            raise SystemExit("%s: command %s is not PluginDir + \"/check_...\"" % (name, c["command"]))
        fields, args = [], OrderedDict()
        for key, a in c["arguments"].items():
            d = OrderedDict()
            for attr in ("description", "required", "repeat_key", "set_if", "value"):
                if attr in a:
                    d[attr] = a[attr]
            args[key] = d
            var = var_of(a.get("set_if", "")) or var_of(a.get("value", ""))
            if not var:
                raise SystemExit("%s %s: no $variable$" % (name, key))
            fid += 1
            kind = "Boolean" if "set_if" in a else "Array" if a.get("repeat_key") else "String"
            out["Datafield"][str(fid)] = OrderedDict([
                ("varname", var), ("caption", "%s %s" % (name, key)),
                ("description", a.get("description")), ("datatype", DT + "DataType" + kind),
                ("format", None), ("settings", {}), ("originalId", str(fid))])
            fields.append(OrderedDict([("datafield_id", fid),
                                       ("is_required", "y" if a.get("required") else "n"),
                                       ("var_filter", None)]))
        out["Command"][name] = OrderedDict([
            ("object_name", name), ("object_type", "object"), ("methods_execute", "PluginCheck"),
            ("command", pm.group(1)), ("timeout", seconds(c.get("timeout", "60"))),
            ("arguments", args), ("fields", fields)])
    out["ServiceTemplate"]["iwa-service"] = OrderedDict([
        ("object_name", "iwa-service"), ("object_type", "template"),
        ("check_interval", "300"), ("retry_interval", "60"), ("max_check_attempts", "3"),
        ("fields", [])])
    for tname, cmd, extra, tvars in TEMPLATES:
        if cmd not in cmds:
            raise SystemExit("template %s: no CheckCommand %s in the conf" % (tname, cmd))
        t = OrderedDict([("object_name", tname), ("object_type", "template"),
                         ("imports", ["iwa-service"]), ("check_command", cmd)])
        t.update(extra)
        if tvars:
            t["vars"] = tvars
        t["fields"] = []
        out["ServiceTemplate"][tname] = t
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "--args":
        with open(argv[2]) as f:
            cmds = parse_commands(f.read())
        json.dump({n: c["arguments"] for n, c in cmds.items()}, sys.stdout, indent=2, sort_keys=True)
        print()
        return 0
    conf = argv[2] if len(argv) == 3 and argv[1] == "--conf" else HERE + "/iwa-commands.conf"
    if len(argv) not in (1, 3):
        print(__doc__, file=sys.stderr)
        return 3
    with open(conf) as f:
        cmds = parse_commands(f.read())
    json.dump(basket(cmds), sys.stdout, indent=4)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
