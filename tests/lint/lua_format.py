#!/usr/bin/python3
"""Lua's lua_pushfstring/luaL_error understand only %d %I %f %p %s %c %U %%: a printf code
such as %g or %lld there raises "invalid option" instead of the message (bytes(tensor{300})
once answered that). This test reads every call in src/ and fails on any other code.
Usage: lua_format.py SOURCE_DIR"""
import glob
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
call = re.compile(r'\b(luaL_error|lua_pushfstring|luaL_argerror|luaL_where_fmt)\s*\(\s*L\s*,\s*'
                  r'(?:[^,"()]*,\s*)?((?:"(?:[^"\\]|\\.)*"\s*)+)')
ok_codes = set("dIfpscU")
bad = 0
files = sorted(glob.glob(root + "/src/**/*.c", recursive=True))
for f in files:
    s = open(f, encoding="utf-8").read()
    for m in call.finditer(s):
        lit = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))).replace("%%", "")
        for code in re.finditer(r"%(.?)", lit):
            if code.group(1) not in ok_codes:
                line = s[:m.start()].count("\n") + 1
                print(f"{f}:{line}: {m.group(1)} with format code %{code.group(1)} "
                      f"(Lua knows only %d %I %f %p %s %c %U)")
                bad += 1
print(f"{len(files)} files, {bad} bad format codes")
sys.exit(1 if bad or not files else 0)
