#!/usr/bin/python3
"""Pastes `stemdeck osc`'s generated tables into docs/manual/osc.md (between its markers).
Usage: scripts/osc-tables.py STEMDECK"""
import re
import subprocess
import sys

out = subprocess.run([sys.argv[1], "osc"], capture_output=True, text=True, check=True).stdout
parts = re.split(r"^#+ .*\n\n", out, flags=re.M)[1:]
names = ["addresses", "values", "feedback", "ableset"]
assert len(parts) == len(names), "stemdeck osc printed %d sections" % len(parts)
path = "docs/manual/osc.md"
text = open(path).read()
for name, table in zip(names, parts):
    table = table.rstrip("\n") + "\n"
    begin, end = "<!-- %s: begin (stemdeck osc) -->\n" % name, "<!-- %s: end -->" % name
    a, b = text.index(begin) + len(begin), text.index(end)
    text = text[:a] + table + text[b:]
open(path, "w").write(text)
print("docs/manual/osc.md: 4 tables pasted")
