"""The one-way structure of src/, checked on the code itself.

Two graphs are built, each from two kinds of evidence:
  - between the folders of src/ (core, autograd, ops, optim, data, lua, repl), and
  - between the files of src/lua/ (a .c and the .h of the same name are one unit),
an edge A -> B meaning "A uses B": a file of A has `#include "…"` of a file of B, or an
object file of A has an undefined symbol (nm: U) that an object file of B defines.

The test fails on any cycle in either graph, on any folder edge that points up the
layering  core <- autograd <- ops <- {optim, data} <- lua <- repl  (a folder may use only
folders to its left), and when src/lua/nbl.c uses more than the engine's public API. Each offending edge is printed with the include line or symbol that
makes it, so the fix is easy to find.

usage: test_layers.py SOURCE_ROOT BUILD_ROOT
"""
import os
import re
import subprocess
import sys

# Rank of each folder of src/: a folder may use folders of lower rank only.
LAYERS = {"core": 0, "autograd": 1, "ops": 2, "optim": 3, "data": 3, "lua": 4, "repl": 5,
          # the classroom server knows requests, bytes and a job queue, no tensor and no Lua:
          # src/lua/l_serve.c (the bindings) and the shell use it
          "server": 3}
# What src/lua/nbl.c (binding support, the role of lauxlib.c) may use besides src/lua.
NBL_MAY_USE = {"core", "autograd"}


def sources(src):
    out = []
    for d, _, files in os.walk(src):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(d, f), src))
    return sorted(out)


def folder_of(rel):
    return rel.split(os.sep)[0]


def lua_unit(rel):
    """src/lua/l_nn.c and src/lua/l_nn.h are the unit 'l_nn'; None outside src/lua."""
    parts = rel.split(os.sep)
    if parts[0] != "lua" or len(parts) != 2:
        return None
    return os.path.splitext(parts[1])[0]


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def include_edges(src, files):
    """(from_rel, to_rel, evidence) for every #include "…" that resolves inside src/."""
    known = set(files)
    edges = []
    for rel in files:
        with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as fh:
            for no, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                # resolved like the compiler: beside the file first, then from src/
                cand = [os.path.normpath(os.path.join(os.path.dirname(rel), m.group(1))),
                        os.path.normpath(m.group(1))]
                for c in cand:
                    if c in known:
                        edges.append((rel, c, "%s:%d includes \"%s\"" % (rel, no, m.group(1))))
                        break
    return edges


def object_files(build, files):
    """rel source path -> object file, from the build's *.p folders (meson names an object
    after its source path with / turned into _)."""
    by_name = {}
    for d in os.listdir(build):
        if d.endswith(".p") and os.path.isdir(os.path.join(build, d)):
            for f in os.listdir(os.path.join(build, d)):
                if f.endswith(".o"):
                    by_name.setdefault(f, os.path.join(build, d, f))
    objs = {}
    for rel in files:
        if rel.endswith(".c"):
            name = ("src/" + rel).replace("/", "_") + ".o"
            if name in by_name:
                objs[rel] = by_name[name]
    return objs


def symbol_edges(objs):
    defined, undefined = {}, {}
    for rel, path in objs.items():
        out = subprocess.run(["nm", "-P", path], capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            sym, kind = parts[0], parts[1]
            if kind == "U":
                undefined.setdefault(rel, set()).add(sym)
            elif kind in "TDBRVWCGS":
                defined.setdefault(sym, rel)
    edges = []
    for rel, syms in undefined.items():
        for s in sorted(syms):
            if s in defined and defined[s] != rel:
                edges.append((rel, defined[s], "%s calls %s (defined in %s)" % (rel, s, defined[s])))
    return edges


def cycles(nodes, adj):
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, on, stack, comps, counter = {}, {}, set(), [], [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(adj.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(adj.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))
    return comps


def graph(edges, unit):
    adj, why = {}, {}
    for a, b, ev in edges:
        ua, ub = unit(a), unit(b)
        if ua is None or ub is None or ua == ub:
            continue
        adj.setdefault(ua, set()).add(ub)
        why.setdefault((ua, ub), []).append(ev)
    return adj, why


def report(title, comps, adj, why):
    bad = 0
    for comp in comps:
        bad += 1
        print("CYCLE among %s: %s" % (title, " <-> ".join(comp)))
        s = set(comp)
        for a in comp:
            for b in sorted(adj.get(a, ())):
                if b in s:
                    for ev in why[(a, b)][:3]:
                        print("    %s -> %s: %s" % (a, b, ev))
    return bad


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    root, build = sys.argv[1], sys.argv[2]
    src = os.path.join(root, "src")
    files = sources(src)
    objs = object_files(build, files)
    missing = [f for f in files if f.endswith(".c") and f not in objs]
    if missing:
        print("no object file in %s for: %s (build first)" % (build, ", ".join(missing)))
        return 1
    edges = include_edges(src, files) + symbol_edges(objs)
    failures = 0

    adj, why = graph(edges, folder_of)
    folders = sorted({folder_of(f) for f in files})
    failures += report("the folders of src/", cycles(folders, adj), adj, why)
    for a in folders:
        if a not in LAYERS:
            print("src/%s/ has no place in the layering: add it to LAYERS in %s" % (a, __file__))
            failures += 1
            continue
        for b in sorted(adj.get(a, ())):
            if LAYERS.get(b, 99) >= LAYERS[a]:
                failures += 1
                print("UPWARD edge src/%s -> src/%s (a folder may use only folders below it):" % (a, b))
                for ev in why[(a, b)][:5]:
                    print("    " + ev)

    # nbl.c is the bindings' lauxlib.c: it sees the engine's public API only
    nbl_uses = {folder_of(b) for a, b, _ in edges if lua_unit(a) == "nbl"} - {"lua"}
    if not nbl_uses <= NBL_MAY_USE:
        failures += 1
        print("src/lua/nbl.c uses %s: binding support may use only %s" %
              (", ".join(sorted(nbl_uses - NBL_MAY_USE)), ", ".join(sorted(NBL_MAY_USE))))
        for a, b, ev in edges:
            if lua_unit(a) == "nbl" and folder_of(b) in nbl_uses - NBL_MAY_USE:
                print("    " + ev)

    ladj, lwhy = graph(edges, lua_unit)
    units = sorted({lua_unit(f) for f in files if lua_unit(f)})
    failures += report("the files of src/lua/", cycles(units, ladj), ladj, lwhy)

    n_inc = sum(1 for e in edges if "includes" in e[2])
    print("checked %d files, %d object files, %d include and %d symbol edges: %s" %
          (len(files), len(objs), n_inc, len(edges) - n_inc,
           "%d problem(s)" % failures if failures else "no cycle, every folder edge points down"))
    for a in folders:
        print("  src/%s -> %s" % (a, ", ".join(sorted(adj.get(a, ()))) or "(nothing)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
