#!/usr/bin/env bash
# The man page and the bash, zsh and fish completions that the build made say what the binary takes:
#   - they are what packaging/cli_docs.py makes of this binary's `__spec` now (none is stale);
#   - the spec lists exactly the options each command's --help lists (the walk misses nothing);
#   - bash and fish complete commands, nested commands, options and option values as a user types them;
#   - zsh parses the zsh script; man reads the page without a warning and it has every command.
# Usage: tests/install/completions.sh BUILD_DIR      (ctest runs it as install_completions)
set -uo pipefail
build=$(realpath "${1:?usage: completions.sh BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dlc=$build/server/dlcontainer
made=$build/packaging/cli
work=$(mktemp -d /tmp/dlc-completions.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

# 1. Made from this binary: regenerated now, byte for byte the same (the date is the build's).
"$dlc" __spec > "$work/spec.json" || fail "dlcontainer __spec runs"
date=$(sed -n '1s/^\.TH [^"]*"\([0-9-]*\)".*/\1/p' "$made/dlcontainer.1")
python3 "$repo/packaging/cli_docs.py" --spec "$work/spec.json" --out "$work/now" --version "$(sed -n 's/.*"dlcontainer \([^ "]*\)".*/\1/p' "$made/dlcontainer.1" | head -1)" --date "$date"
for f in dlcontainer.1 dlcontainer.bash _dlcontainer dlcontainer.fish; do
  check "$f is what the binary's __spec makes now" cmp -s "$made/$f" "$work/now/$f"
done

# 2. The spec against --help: every command's options, as CLI11's own help prints them.
python3 - "$dlc" "$work/spec.json" <<'PY' || fail "the spec lists the options that each command's --help lists"
import json, re, subprocess, sys
dlc, spec = sys.argv[1], json.load(open(sys.argv[2]))
bad = 0
def walk(cmd, path):
    global bad
    out = subprocess.run([dlc, *path, "--help"], capture_output=True, text=True).stdout
    # An option's line starts with its names, comma-separated: "  -w,--workspace TEXT  what it does".
    section = out.split("Options:", 1)[-1].split("Subcommands:", 1)[0]
    helped = {n for names in re.findall(r"^  (-\S+)", section, re.M) for n in names.split(",")}
    listed = {n for o in cmd["options"] for n in o["names"]}
    if helped != listed:
        print(f"  {' '.join(path) or '(top)'}: --help has {sorted(helped - listed)} the spec lacks; the spec has {sorted(listed - helped)} --help lacks")
        bad += 1
    subs = set(re.findall(r"^  (\S+)\s", out.split("Subcommands:", 1)[1], re.M)) if "Subcommands:" in out else set()
    if subs != {s["name"] for s in cmd["subcommands"]}:
        print(f"  {' '.join(path) or '(top)'}: subcommands {sorted(subs)} in --help, {sorted(s['name'] for s in cmd['subcommands'])} in the spec")
        bad += 1
    for s in cmd["subcommands"]:
        walk(s, path + [s["name"]])
walk(spec, [])
sys.exit(1 if bad else 0)
PY
[ $failures -eq 0 ] && ok "the spec lists the options that each command's --help lists"

# 3. bash: what a Tab offers after these words (the last is the word being completed).
bash_complete() {
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"
    _dlcontainer
    printf "%s\n" "${COMPREPLY[@]}"' _ "$made/dlcontainer.bash" "$@"
}
offers() { local want=$1; shift; grep -qx -- "$want" <(cd "$work" && "$@"); }
lacks() { local unwanted=$1; shift; ! grep -qx -- "$unwanted" <(cd "$work" && "$@"); }
mkdir -p "$work/configs" && touch "$work/configs/dc.json"
check "bash: 'dlcontainer u' offers up" offers up bash_complete dlcontainer u
check "bash: 'dlcontainer debug ' offers the nested python" offers python bash_complete dlcontainer debug ''
check "bash: 'dlcontainer -v debug g' offers gdb past a global flag" offers gdb bash_complete dlcontainer -v debug g
check "bash: 'dlcontainer up --r' offers --rebuild" offers --rebuild bash_complete dlcontainer up --r
check "bash: 'dlcontainer down --r' does not offer up's --rebuild" lacks --rebuild bash_complete dlcontainer down --r
check "bash: 'dlcontainer up --config con' offers files for the value" offers configs bash_complete dlcontainer up --config con
check "bash: 'dlcontainer exec -w up ' treats up as -w's value, not a command" lacks --rebuild bash_complete dlcontainer exec -w up --r
check "bash: after -- it completes files for the container's command" offers configs bash_complete dlcontainer exec -- con

# 4. fish, when installed (scripts/setup.sh installs it): its own completion engine.
if command -v fish >/dev/null; then
  fish_complete() { fish --no-config -c "source $made/dlcontainer.fish; complete -C '$1'" | cut -f1; }
  check "fish: 'dlcontainer u' offers up" offers up fish_complete "dlcontainer u"
  check "fish: 'dlcontainer debug ' offers python" offers python fish_complete "dlcontainer debug "
  check "fish: 'dlcontainer up --r' offers --rebuild" offers --rebuild fish_complete "dlcontainer up --r"
  check "fish: 'dlcontainer down --r' does not offer --rebuild" lacks --rebuild fish_complete "dlcontainer down --r"
elif [ "${CI:-}" = true ]; then
  fail "fish is not installed (CI=true: scripts/setup.sh installs it)"
fi

# 5. zsh parses its script; man reads the page without warnings, and it names every command.
if command -v zsh >/dev/null; then
  check "zsh parses _dlcontainer" zsh -n "$made/_dlcontainer"
elif [ "${CI:-}" = true ]; then
  fail "zsh is not installed (CI=true: scripts/setup.sh installs it)"
fi
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$made/dlcontainer.1" 2>&1 >"$work/man.txt")
check "man reads dlcontainer.1 without warnings${warnings:+: $warnings}" test -z "$warnings"
missing=$(python3 -c '
import json, sys
spec = json.load(open(sys.argv[1])); page = open(sys.argv[2]).read()
def walk(c, p):
    for s in c["subcommands"]:
        yield " ".join(p + [s["name"]]); yield from walk(s, p + [s["name"]])
print(" ".join(w for w in walk(spec, []) if f"dlcontainer {w}" not in page))' "$work/spec.json" "$work/man.txt")
check "the man page has every command${missing:+ (missing: $missing)}" test -z "$missing"

echo "$failures failed"
[ $failures -eq 0 ]
