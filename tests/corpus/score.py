#!/usr/bin/env python3
"""Scores `dlcontainer plan` on the corpus of real paper repositories (tests/corpus/*/meta.json).

For each entry: a temporary git repository is made from the entry's files (all but meta.json),
committed with the entry's commit date (the resolver reads HEAD's date to place a repository in
its era), and `dlcontainer plan <repo> --json --driver <driver>` runs with cache and config folders
of its own. The plan is judged against the entry's `expected` (see README.md): the framework, its
version range, the base image among the acceptable tags or patterns, and the flavor where it
matters. One line per entry, then the score; the exit status is 1 below --min, 2 when an entry is
malformed or the binary cannot be run.

  score.py --binary build/server/dlcontainer [--min 0.95] [--report FILE] [--only NAME ...]
"""
import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PLAN_TIMEOUT_S = 120
# An entry holds facts, not a repository's code: evidence files stay small (README.md says why).
MAX_CODE_LINES = 40
MAX_MANIFEST_LINES = 400
CODE_SUFFIXES = (".py", ".cu", ".cuh", ".cpp", ".cc", ".h", ".sh")
FRAMEWORK_NAMES = {"pytorch": "pytorch", "torch": "pytorch", "tensorflow": "tensorflow",
                   "tf": "tensorflow", "paddle": "paddle", "paddlepaddle": "paddle", "mxnet": "mxnet",
                   "keras": "keras", "jax": "jax"}
EXPECTED_KEYS = {"framework", "version", "images", "imagePatterns", "dockerfile", "flavor", "error"}


class CorpusError(Exception):
    pass


# ---- versions: enough of PEP 440 for framework releases (1.4.0, 2.3.0rc0, 1.8.0a0+9907a3e) ----

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?:(a|b|rc)(\d*))?(?:\.?post(\d+))?(?:\.?dev(\d+))?(?:\+.*)?$")
_PRE_RANK = {"a": -3, "b": -2, "rc": -1, None: 0}


def parse_version(text):
    m = _VERSION.match(text.strip())
    if not m:
        raise CorpusError(f"not a version: {text!r}")
    release = tuple(int(x) for x in m.group(1).split("."))
    pre = (_PRE_RANK[m.group(2)], int(m.group(3) or 0))
    post = int(m.group(4)) if m.group(4) else -1
    dev = int(m.group(5)) if m.group(5) else 1 << 30  # a .devN sorts before the release it leads to
    return release, pre, post, dev


def _key(parsed, width):
    release, pre, post, dev = parsed
    return release + (0,) * (width - len(release)), pre, post, dev


def _compare(a, b):
    width = max(len(a[0]), len(b[0]))
    ka, kb = _key(a, width), _key(b, width)
    return (ka > kb) - (ka < kb)


def satisfies(version, spec):
    """Whether `version` meets every clause of `spec` ('>=1.4,<1.5', '==1.7.*', '!=1.12.0')."""
    candidate = parse_version(version)
    for clause in (c.strip() for c in spec.split(",") if c.strip()):
        m = re.match(r"^(==|!=|>=|<=|>|<|~=)\s*(.+)$", clause)
        if not m:
            raise CorpusError(f"not a version clause: {clause!r}")
        op, target = m.groups()
        if op in ("==", "!=") and target.endswith(".*"):
            prefix = parse_version(target[:-2])[0]
            equal = candidate[0][:len(prefix)] == prefix
            if equal != (op == "=="):
                return False
            continue
        cmp = _compare(candidate, parse_version(target))
        if op == "~=":
            upper = parse_version(target)[0][:-1]
            if cmp < 0 or candidate[0][:len(upper)] != upper:
                return False
        elif not {"==": cmp == 0, "!=": cmp != 0, ">=": cmp >= 0, "<=": cmp <= 0,
                  ">": cmp > 0, "<": cmp < 0}[op]:
            return False
    return True


# ---- an entry ----

def load_entry(path):
    with open(os.path.join(path, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    name = os.path.basename(path)
    for key in ("repo", "commit", "commitDate", "driver", "expected", "reason"):
        if key not in meta:
            raise CorpusError(f"{name}: meta.json has no {key!r}")
    if not re.fullmatch(r"[0-9a-f]{40}", meta["commit"]):
        raise CorpusError(f"{name}: commit must be 40 hex digits")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["commitDate"]):
        raise CorpusError(f"{name}: commitDate must be YYYY-MM-DDTHH:MM:SSZ")
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", meta["driver"]):
        raise CorpusError(f"{name}: driver must look like 470.82.01")
    expected = meta["expected"]
    unknown = set(expected) - EXPECTED_KEYS
    if unknown:
        raise CorpusError(f"{name}: expected has unknown keys {sorted(unknown)}")
    if not expected.get("error"):
        if expected.get("framework") not in FRAMEWORK_NAMES or not expected.get("version"):
            raise CorpusError(f"{name}: expected needs a known framework and a version range")
        if not (expected.get("images") or expected.get("imagePatterns") or expected.get("dockerfile")):
            raise CorpusError(f"{name}: expected names no acceptable image")
        for spec in _specs(expected["version"]):
            satisfies("0", spec)  # a malformed range fails here, before any plan runs
    check_files(name, path)
    meta["name"] = name
    return meta


def _specs(version):
    return version if isinstance(version, list) else [version]


def check_files(name, path):
    for root, _, files in os.walk(path):
        for file in files:
            full = os.path.join(root, file)
            rel = os.path.relpath(full, path)
            if rel == "meta.json":
                continue
            with open(full, encoding="utf-8", errors="replace") as f:
                lines = sum(1 for _ in f)
            limit = MAX_CODE_LINES if rel.endswith(CODE_SUFFIXES) else MAX_MANIFEST_LINES
            if lines > limit:
                raise CorpusError(f"{name}: {rel} has {lines} lines; an entry keeps only the lines "
                                  f"that carry evidence (at most {limit})")


def make_repository(entry_dir, meta, workdir):
    repo = os.path.join(workdir, "repo")
    shutil.copytree(entry_dir, repo, ignore=lambda d, names: ["meta.json"] if d == entry_dir else [])
    env = dict(os.environ, GIT_AUTHOR_DATE=meta["commitDate"], GIT_COMMITTER_DATE=meta["commitDate"],
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    ident = ["-c", "user.name=corpus", "-c", "user.email=corpus@localhost", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", f"{meta['repo']} facts"]):
        subprocess.run(["git", *ident, *args], cwd=repo, env=env, check=True, capture_output=True)
    return repo


def run_plan(binary, repo, driver, workdir):
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(workdir, "cache"),
               XDG_CONFIG_HOME=os.path.join(workdir, "config"), NO_COLOR="1")
    try:
        done = subprocess.run([binary, "plan", repo, "--json", "--driver", driver], env=env,
                              capture_output=True, text=True, timeout=PLAN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"plan did not finish in {PLAN_TIMEOUT_S} s"
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}").splitlines()
        return None, "plan failed: " + " / ".join(message[:2])
    try:
        return json.loads(done.stdout), None
    except json.JSONDecodeError as e:
        return None, f"plan printed no JSON ({e})"


# ---- judging one plan ----

def image_matches(image, expected):
    return image in expected.get("images", []) or any(
        fnmatch.fnmatchcase(image, p) for p in expected.get("imagePatterns", []))


def judge(expected, out, error):
    """(passed, summary of the plan, reasons it missed)."""
    if expected.get("error"):
        return error is not None, error or "a plan", [] if error else ["a plan, where an error was expected"]
    if error:
        return False, "no plan", [error]
    plan = out.get("plan", {})
    image = plan.get("baseImage") or ""
    mode = plan.get("mode", "")
    framework = plan.get("framework")
    version = plan.get("frameworkVersion") or ""
    flavor = plan.get("flavor") or ""
    summary = " ".join(x for x in (image or "(no image)", f"[{mode}]" if mode else "",
                                   f"{framework} {version}".strip() if framework else "",
                                   flavor) if x)
    if mode == "dockerfile":
        # The repository's own Dockerfile is built as written: its base is what runs the code.
        ok = image == expected.get("dockerfile") or image_matches(image, expected)
        return ok, summary, [] if ok else [f"builds the repo's Dockerfile on {image or 'nothing'}, "
                                           f"which is not among the expected images"]
    reasons = []
    if not image_matches(image, expected):
        reasons.append(f"image {image or '(none)'} is not among the expected ones")
    if framework is None:
        reasons.append("(the plan has no framework field: judged on the image only)")
    elif not framework:
        reasons.append(f"no framework (expected {expected['framework']})")
    elif FRAMEWORK_NAMES.get(framework.lower(), framework.lower()) != FRAMEWORK_NAMES[expected["framework"]]:
        reasons.append(f"framework {framework}, expected {expected['framework']}")
    elif not version:
        reasons.append("no framework version")
    elif not any(satisfies(version, spec) for spec in _specs(expected["version"])):
        reasons.append(f"version {version} outside {' or '.join(_specs(expected['version']))}")
    if expected.get("flavor") and flavor != expected["flavor"]:
        reasons.append(f"flavor {flavor or '(none)'}, expected {expected['flavor']}")
    if plan.get("gpu") is False:
        reasons.append("a CPU plan for a GPU host")
    # A note in parentheses explains how it was judged; only real reasons make a miss.
    passed = not [r for r in reasons if not r.startswith("(")]
    return passed, summary, reasons


def score_entry(binary, entry_dir, meta):
    with tempfile.TemporaryDirectory(prefix="dlc-corpus-") as workdir:
        repo = make_repository(entry_dir, meta, workdir)
        out, error = run_plan(binary, repo, meta["driver"], workdir)
    passed, summary, reasons = judge(meta["expected"], out, error)
    return {"name": meta["name"], "repo": meta["repo"], "commit": meta["commit"][:10],
            "date": meta["commitDate"][:10], "driver": meta["driver"], "expected": meta["expected"],
            "passed": passed, "plan": summary, "reasons": reasons}


def expected_summary(expected):
    if expected.get("error"):
        return "an error"
    picks = expected.get("images", [])[:2] or expected.get("imagePatterns", [])[:2]
    if expected.get("dockerfile"):
        picks = [expected["dockerfile"]] + picks[:1]
    version = " or ".join(_specs(expected["version"]))
    flavor = f", {expected['flavor']}" if expected.get("flavor") else ""
    return f"{expected['framework']} {version}{flavor}: {', '.join(picks)}"


def write_report(path, results, binary):
    passed = sum(r["passed"] for r in results)
    lines = [f"Corpus score: **{passed}/{len(results)}** ({100.0 * passed / len(results):.0f}%), "
             f"`tests/corpus/score.py` with `{os.path.basename(binary)} plan --json --driver D`.", ""]
    misses = [r for r in results if not r["passed"]]
    if misses:
        lines += ["| entry | repository @ commit (date), driver | expected | the plan | why it missed |",
                  "|---|---|---|---|---|"]
        for r in misses:
            cell = lambda s: s.replace("|", "\\|")
            lines.append(f"| {r['name']} | {r['repo']} @ {r['commit']} ({r['date']}), {r['driver']} | "
                         f"{cell(expected_summary(r['expected']))} | {cell(r['plan'])} | "
                         f"{cell('; '.join(r['reasons']))} |")
    else:
        lines.append("No misses.")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def entries(corpus, only):
    names = sorted(n for n in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, n, "meta.json")))
    if only:
        missing = sorted(set(only) - set(names))
        if missing:
            raise CorpusError(f"no such entries: {', '.join(missing)}")
        names = [n for n in names if n in only]
    if not names:
        raise CorpusError(f"no entries under {corpus}")
    return [os.path.join(corpus, n) for n in names]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.environ.get("DLC_BINARY"), help="the dlcontainer binary")
    ap.add_argument("--corpus", default=HERE, help="the folder of entries (default: this one)")
    ap.add_argument("--min", type=float, default=0.95, help="the lowest passing score (default 0.95)")
    ap.add_argument("--report", help="also write the score and every miss as markdown to this file")
    ap.add_argument("--only", action="append", default=[], help="score only this entry (repeatable)")
    ap.add_argument("--check", action="store_true", help="only check that every entry is well formed")
    a = ap.parse_args()
    if a.check:
        try:
            count = len([load_entry(d) for d in entries(a.corpus, a.only)])
        except (CorpusError, json.JSONDecodeError, OSError) as e:
            print(f"score.py: {e}", file=sys.stderr)
            return 2
        print(f"{count} entries well formed")
        return 0
    if not a.binary or not os.access(a.binary, os.X_OK):
        print(f"score.py: no runnable dlcontainer binary ({a.binary!r}); pass --binary", file=sys.stderr)
        return 2
    if shutil.which("git") is None:
        print("score.py: git is needed to make each entry's repository", file=sys.stderr)
        return 2
    try:
        dirs = entries(a.corpus, a.only)
        metas = [load_entry(d) for d in dirs]  # every entry is checked before any plan runs
        results = [score_entry(a.binary, d, m) for d, m in zip(dirs, metas)]
    except (CorpusError, json.JSONDecodeError, subprocess.CalledProcessError, OSError) as e:
        print(f"score.py: {e}", file=sys.stderr)
        return 2
    width = max(len(r["name"]) for r in results)
    for r in results:
        why = f"  <- {'; '.join(r['reasons'])}" if r["reasons"] else ""
        print(f"{'PASS' if r['passed'] else 'MISS'} {r['name']:<{width}}  {r['plan']}{why}")
    passed = sum(r["passed"] for r in results)
    ratio = passed / len(results)
    print(f"score: {passed}/{len(results)} = {100 * ratio:.1f}% (minimum {100 * a.min:.0f}%)")
    if a.report:
        write_report(a.report, results, a.binary)
    return 0 if ratio >= a.min else 1


if __name__ == "__main__":
    sys.exit(main())
