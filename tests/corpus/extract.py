#!/usr/bin/env python3
"""Copies one repository's dependency facts at one commit into a corpus entry.

Reads a git directory (a clone, or a snapshot brought here by a fetch) at a commit and writes, under
the entry's folder, each named manifest reduced to its requirement lines, and for code evidence only
the lines that carry it, at the paths where they stand. Never a whole source file: an entry holds
facts about a repository, not its code (see README.md).

  extract.py --git-dir G --commit C --out tests/corpus/NAME \
      --manifest requirements.txt --manifest docker/Dockerfile \
      --lines setup.py:REGEX --lines tools/train.py:REGEX --scan

--manifest PATH   requirements/constraints, environment.yml, Dockerfiles, pyproject.toml, setup.cfg,
                  .python-version: comments and blank lines dropped, [tool.*] tables of a pyproject
                  dropped (they configure tools, not dependencies).
--lines PATH:RE   only the lines of PATH matching RE (a setup.py's install_requires, a README's
                  "tested with" line, a `pip install torch==` in a script).
--range PATH:A-B  lines A..B of PATH (a multi-line install_requires list), comments dropped.
--scan            framework evidence in code: import lines of the deep-learning frameworks, TF1-only
                  and removed-PyTorch calls, `#include <torch/extension.h>`, CUDAExtension; at most
                  --per-file lines from each of at most --files files, shallowest paths first.
"""
import argparse
import os
import re
import subprocess
import sys

SCAN = re.compile(
    r"^\s*(import|from)\s+(torch|torchvision|tensorflow|keras|paddle|mxnet|jax|tf_slim)\b"
    r"|\btf\.(Session|placeholder|contrib|app\.flags|compat\.v1|train\.Saver|layers\.)"
    r"|torch\.utils\.ffi|#\s*include\s*[<\"]torch/extension\.h"
    r"|\b(CUDAExtension|CppExtension|BuildExtension)\b")
IMPORT = re.compile(r"^\s*(import|from)\s")
CODE_SUFFIXES = (".py", ".cu", ".cpp", ".cc", ".cuh", ".h", ".sh")


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True,
                          capture_output=True, text=True, errors="replace").stdout


def write(out, path, lines):
    if not lines:
        sys.exit(f"extract: nothing kept from {path}")
    target = os.path.join(out, path)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"  {path}: {len(lines)} lines")


def manifest_lines(path, lines):
    """Indices of a manifest's fact lines: all but comments, blanks and a pyproject's [tool.*] tables."""
    kept, in_tool_table = [], False
    is_pyproject = path.endswith("pyproject.toml")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if is_pyproject and stripped.startswith("["):
            in_tool_table = stripped.startswith("[tool.") and not stripped.startswith("[tool.poetry")
        if not (in_tool_table or not stripped or stripped.startswith("#")):
            kept.append(i)
    return kept


def is_comment(line):
    return re.match(r"\s*(#(?!\s*include)|//)", line) is not None


def scan_lines(lines, per_file):
    """Indices of one file's framework evidence: its first import and the calls that date the code."""
    hits = [i for i, l in enumerate(lines) if SCAN.search(l) and not is_comment(l)]
    imports = [i for i in hits if IMPORT.match(lines[i])]
    calls = [i for i in hits if not IMPORT.match(lines[i])]
    return (imports[:1] + calls)[:per_file], bool(calls)


def scan(git_dir, commit, per_file, max_files):
    names = [n for n in git(git_dir, "ls-tree", "-r", "--name-only", commit).splitlines()
             if n.endswith(CODE_SUFFIXES)]
    found = []
    for name in names:
        picked, has_calls = scan_lines(git(git_dir, "show", f"{commit}:{name}").splitlines(), per_file)
        if picked:
            # Files whose calls date the code (tf.Session, CUDAExtension) say the most: they go first.
            found.append((not has_calls, name.count("/"), name, picked))
    found.sort()
    return {name: picked for _, _, name, picked in found[:max_files]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--manifest", action="append", default=[])
    ap.add_argument("--lines", action="append", default=[])
    ap.add_argument("--range", action="append", default=[])
    ap.add_argument("--scan", action="store_true")
    ap.add_argument("--per-file", type=int, default=3)
    ap.add_argument("--files", type=int, default=8)
    a = ap.parse_args()
    texts, keep = {}, {}

    def lines_of(path):
        if path not in texts:
            texts[path] = git(a.git_dir, "show", f"{a.commit}:{path}").splitlines()
        return texts[path]

    for path in a.manifest:
        keep.setdefault(path, set()).update(manifest_lines(path, lines_of(path)))
    for spec in a.lines:
        path, regex = spec.split(":", 1)
        keep.setdefault(path, set()).update(i for i, l in enumerate(lines_of(path)) if re.search(regex, l))
    for spec in a.range:
        path, span = spec.rsplit(":", 1)
        first, last = (int(x) for x in span.split("-"))
        text = lines_of(path)
        keep.setdefault(path, set()).update(
            i for i in range(first - 1, min(last, len(text))) if text[i].strip() and not is_comment(text[i]))
    if a.scan:
        for path, picked in scan(a.git_dir, a.commit, a.per_file, a.files).items():
            lines_of(path)
            keep.setdefault(path, set()).update(picked)
    for path, indices in keep.items():
        # Kept lines stay in the order they stand in the file.
        write(a.out, path, [texts[path][i].rstrip() for i in sorted(indices)])


if __name__ == "__main__":
    main()
