#!/usr/bin/env python3
"""Checks the include layering of guichet's C++ code against tools/layers.txt.

Every `#include "…"` of a project header in core/, gateway/ and loadtest/ must point to the
including file's own folder or to one that layers.txt allows it; and no chain of includes
between files may come back to where it started. Prints each offending include as
`path:line: …` and exits 1; exits 0 with a one-line summary when all is in order.
Usage: tools/check_layers.py [REPO_ROOT]
"""
import os
import re
import sys

ROOTS = ("core", "gateway", "loadtest")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_of(path, folders):
    """The longest folder of layers.txt that contains `path`, or None."""
    best = None
    for f in folders:
        if path == f or path.startswith(f + "/"):
            if best is None or len(f) > len(best):
                best = f
    return best


def read_layers(root):
    allowed = {}
    with open(os.path.join(root, "tools", "layers.txt"), encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if ":" not in line:
                sys.exit(f"tools/layers.txt:{n}: expected 'folder: folders…'")
            name, deps = line.split(":", 1)
            allowed[name.strip()] = set(deps.split())
    return allowed


def sources(root):
    for top in ROOTS:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".hpp", ".cpp", ".h")):
                    yield os.path.relpath(os.path.join(d, f), root)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    allowed = read_layers(root)
    folders = list(allowed)
    problems, graph, count = [], {}, 0
    for path in sorted(sources(root)):
        src = folder_of(path, folders)
        if src is None:
            problems.append(f"{path}:1: its folder is not in tools/layers.txt")
            continue
        edges = graph.setdefault(path, [])
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m or not m.group(1).startswith(tuple(r + "/" for r in ROOTS)):
                    continue
                target = m.group(1)
                count += 1
                dst = folder_of(target, folders)
                if dst is None:
                    problems.append(f"{path}:{n}: #include \"{target}\": its folder is not in tools/layers.txt")
                elif dst != src and dst not in allowed[src]:
                    problems.append(f"{path}:{n}: #include \"{target}\": {src} may not include {dst} (tools/layers.txt)")
                if os.path.exists(os.path.join(root, target)):
                    edges.append((target, n))
    # An include cycle between files: a depth-first search for a back edge.
    state, stack = {}, []

    def visit(f):
        state[f] = 1
        stack.append(f)
        for t, n in graph.get(f, []):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                problems.append(f"{f}:{n}: include cycle: " + " -> ".join(cycle))
            elif t in graph and not state.get(t):
                visit(t)
        stack.pop()
        state[f] = 2

    for f in sorted(graph):
        if not state.get(f):
            visit(f)
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} problem(s)")
        return 1
    print(f"check_layers: {count} includes in {len(graph)} files follow tools/layers.txt, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
