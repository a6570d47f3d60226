#!/usr/bin/python3
"""Every option an engine definition passes to a plugin is one the plugin's --help documents.

  options_documented.py PLUGINDIR FILE...
Icinga 2 files: the argument keys of each `object CheckCommand` whose command is
PluginDir + "/check_x". Other files (Nagios command_line, Zabbix UserParameter): the
--long-options on each line that runs check_x. Prints one line per plugin/file and, for each
option the --help lacks, "MISSING <option> (<plugin>, <file>)". Exit 1 if any is missing.
"""
import re
import subprocess
import sys


def documented(helptext, opt):
    return re.search(r"(^|[\s,\[])" + re.escape(opt) + r"([\s=,\]]|$)", helptext, re.M) is not None


def main(argv):
    plugindir, files = argv[1], argv[2:]
    helps, bad = {}, 0
    for f in files:
        text = open(f).read()
        uses = {}                                   # plugin -> set of options
        blocks = re.findall(r'object CheckCommand "\w+" \{\s*command = \[ PluginDir \+ "/(check_\w+)" \]'
                            r'(.*?)\n\}', text, re.S)
        for plugin, body in blocks:
            uses.setdefault(plugin, set()).update(re.findall(r'^\t\t"(-[^"]+)" = \{', body, re.M))
        if not blocks:
            for line in text.splitlines():
                if line.lstrip().startswith("#"):
                    continue
                for plugin in set(re.findall(r"/(check_\w+)\b", line)):
                    uses.setdefault(plugin, set()).update(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", line))
        for plugin, opts in sorted(uses.items()):
            if plugin not in helps:
                helps[plugin] = subprocess.run([plugindir + "/" + plugin, "--help"],
                                               capture_output=True, text=True).stdout
            missing = sorted(o for o in opts if not documented(helps[plugin], o))
            print("%s: %d options in %s" % (plugin, len(opts), f))
            for o in missing:
                print("MISSING %s (%s, %s)" % (o, plugin, f))
            bad += len(missing)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
