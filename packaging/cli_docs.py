#!/usr/bin/env python3
"""The man page and the bash, zsh and fish completions of dlcontainer, made from the command line's
own definition (`dlcontainer __spec`, which walks the CLI11 app), so that they cannot drift from the
options the program takes. The build runs this (packaging/CMakeLists.txt); tests/install/completions
checks the result against the binary.

    cli_docs.py --spec spec.json --out DIR --version 0.1.0 [--date YYYY-MM-DD]

writes DIR/dlcontainer.1, DIR/dlcontainer.bash, DIR/_dlcontainer (zsh) and DIR/dlcontainer.fish.
The date is --date, else SOURCE_DATE_EPOCH's (reproducible builds), else today's.
"""
import argparse
import datetime
import json
import os
import sys

PROG = "dlcontainer"

# What the man page says beyond the command line (the program's getenv calls and the files it reads).
ENVIRONMENT = [
    ("DOCKER_HOST", "the Docker engine to talk to (unix:// or tcp://); default unix:///var/run/docker.sock"),
    ("DLC_AGENT", "the dlcontainer-agent binary to put into containers; default the one installed beside dlcontainer "
                  "(../lib/dlcontainer/dlcontainer-agent)"),
    ("XDG_CONFIG_HOME", "where the user's config.json and catalog.json are read from (dlcontainer/ under it; default ~/.config)"),
    ("XDG_CACHE_HOME", "where what plans remember is kept (dlcontainer/ under it; default ~/.cache)"),
    ("NO_COLOR", "set: no colours on the terminal"),
]
FILES = [
    ("$XDG_CONFIG_HOME/dlcontainer/config.json", "mirrors, GPU policy, default ports"),
    ("$XDG_CONFIG_HOME/dlcontainer/catalog.json", "rows added to the built-in compatibility catalog"),
    (".devcontainer/devcontainer.json", "the workspace's configuration, shared with VS Code Dev Containers and the devcontainer CLI"),
]


def walk(spec, path=()):
    """(path, command) for the root and every subcommand, depth first, in the program's order."""
    yield path, spec
    for sub in spec["subcommands"]:
        yield from walk(sub, path + (sub["name"],))


# ---------------------------------------------------------------- man page

def roff(text):
    """Plain text as roff: backslashes escaped, a leading dot or quote made literal."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option_label(o):
    names = ", ".join(f"\\fB{roff(n)}\\fR" for n in o["names"])
    if o.get("takes_value"):
        names += f" \\fI{roff(value_name(o))}\\fR"
    return names


def value_name(o):
    t = o.get("type", "") or "VALUE"
    return t.split(":")[0] or "VALUE"


def usage(path, cmd):
    words = [f"\\fB{PROG}\\fR"] + [f"\\fB{roff(p)}\\fR" for p in path]
    if cmd["options"]:
        words.append("[\\fIOPTIONS\\fR]")
    if cmd["subcommands"]:
        words.append("\\fICOMMAND\\fR")
    for p in cmd["positionals"]:
        name = f"\\fI{roff(p['name'].upper())}\\fR"
        words.append(name if p.get("required") else f"[{name}]")
    return " ".join(words)


def man_page(spec, version, date):
    out = [
        f'.TH DLCONTAINER 1 "{date}" "{PROG} {version}" "User Commands"',
        ".SH NAME",
        f"{PROG} \\- {roff(spec['description'].split(': ', 1)[-1])}",
        ".SH SYNOPSIS",
        f"\\fB{PROG}\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]",
        ".SH DESCRIPTION",
        roff(spec["description"].split(": ", 1)[-1][:1].upper() + spec["description"].split(": ", 1)[-1][1:]) + ".",
        ".PP",
        "It reads and writes the standard .devcontainer/devcontainer.json, talks to the Docker engine over its "
        "socket, and serves the same commands to editors as JSON\\-RPC (\\fBdlcontainer serve\\fR).",
        ".SH OPTIONS",
    ]
    for o in spec["options"]:
        out += [".TP", option_label(o), roff(o["description"])]
    out.append(".SH COMMANDS")
    for path, cmd in walk(spec):
        if not path:
            continue
        out += [".SS " + '"' + " ".join(path).replace("-", "\\-") + '"', usage(path, cmd), ".PP", roff(cmd["description"])]
        for p in cmd["positionals"]:
            out += [".TP", f"\\fI{roff(p['name'].upper())}\\fR", roff(p["description"])]
        for o in cmd["options"]:
            if o["names"] == ["-h", "--help"]:
                continue
            out += [".TP", option_label(o), roff(o["description"])]
        if cmd.get("footer"):
            out += [".PP", roff(cmd["footer"])]
    out.append(".SH ENVIRONMENT")
    for name, what in ENVIRONMENT:
        out += [".TP", f"\\fB{name}\\fR", roff(what)]
    out.append(".SH FILES")
    for name, what in FILES:
        out += [".TP", f"\\fI{roff(name)}\\fR", roff(what)]
    out += [
        ".SH EXIT STATUS",
        "0 on success; 1 when the command failed (an error line and a hint on standard error); 2 for a command "
        "line it cannot parse. \\fBexec\\fR returns the status of the command it ran.",
        ".SH SEE ALSO",
        "\\fBdocker\\fR(1), \\fBdevcontainer\\fR(1), /usr/share/doc/dlcontainer/",
        "",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------- tables the completions share

def tables(spec):
    """Per command path (words joined by spaces, "" for the root): subcommands with their
    descriptions, options with theirs, the options that take a value, and whether it takes positionals."""
    rows = []
    for path, cmd in walk(spec):
        rows.append({
            "path": " ".join(path),
            "subs": [(s["name"], s["description"]) for s in cmd["subcommands"]],
            "opts": [(n, o["description"]) for o in cmd["options"] for n in o["names"]],
            "valued": [n for o in cmd["options"] if o.get("takes_value") for n in o["names"]],
            "positionals": bool(cmd["positionals"]),
        })
    return rows


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------- bash

def bash_completion(spec):
    rows = tables(spec)
    subs_case = "\n".join(f"    {sh_quote(r['path'])}) subs={sh_quote(' '.join(n for n, _ in r['subs']))} "
                          f"opts={sh_quote(' '.join(n for n, _ in r['opts']))} "
                          f"valued={sh_quote(' '.join(r['valued']))} args={'1' if r['positionals'] else '0'} ;;"
                          for r in rows)
    return f"""# bash completion for {PROG}. Generated from `{PROG} __spec` by packaging/cli_docs.py: do not edit.

# The words that can follow a command path: its subcommands, its options, the options that take a
# value, and whether it takes arguments (folders, files).
__{PROG}_table() {{
  case "$1" in
{subs_case}
    *) subs='' opts='' valued='' args=1 ;;
  esac
}}

_{PROG}() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
  local path='' subs opts valued args i w
  __{PROG}_table ''
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    if [[ $w == -- ]]; then
      # A command to run in the container: files, as for any command.
      COMPREPLY=($(compgen -f -- "$cur"))
      return
    fi
    if [[ $w == -* ]]; then
      [[ $w != *=* && " $valued " == *" $w "* ]] && ((i++))
      continue
    fi
    if [[ " $subs " == *" $w "* ]]; then
      path=${{path:+$path }}$w
      __{PROG}_table "$path"
    fi
  done
  if [[ $prev == -* && " $valued " == *" $prev "* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    [[ $args == 1 ]] && COMPREPLY+=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _{PROG} {PROG}
"""


# ---------------------------------------------------------------- zsh

def zsh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def zsh_completion(spec):
    rows = tables(spec)

    def described(pairs):
        return " ".join(zsh_quote(f"{n.replace(':', chr(92) + ':')}:{d}") for n, d in pairs)

    case = "\n".join(f"    {zsh_quote(r['path'])}) subs=({described(r['subs'])}) opts=({described(r['opts'])}) "
                     f"valued=({' '.join(zsh_quote(v) for v in r['valued'])}) args={'1' if r['positionals'] else '0'} ;;"
                     for r in rows)
    return f"""#compdef {PROG}
# zsh completion for {PROG}. Generated from `{PROG} __spec` by packaging/cli_docs.py: do not edit.

__{PROG}_table() {{
  case "$1" in
{case}
    *) subs=() opts=() valued=() args=1 ;;
  esac
}}

_{PROG}() {{
  local path='' w i args
  local -a subs opts valued names
  __{PROG}_table ''
  for ((i = 2; i < CURRENT; i++)); do
    w=${{words[i]}}
    if [[ $w == -- ]]; then
      _files
      return
    fi
    if [[ $w == -* ]]; then
      [[ $w != *=* && ${{valued[(Ie)$w]}} -gt 0 ]] && ((i++))
      continue
    fi
    names=(${{subs%%:*}})
    if (( ${{names[(Ie)$w]}} )); then
      path=${{path:+$path }}$w
      __{PROG}_table "$path"
    fi
  done
  local prev=${{words[CURRENT-1]}}
  if [[ $prev == -* && ${{valued[(Ie)$prev]}} -gt 0 ]]; then
    _files
  elif [[ ${{words[CURRENT]}} == -* ]]; then
    _describe -t options option opts
  else
    _describe -t commands command subs
    (( args )) && _files
  fi
}}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _{PROG} "$@"
else
  compdef _{PROG} {PROG}
fi
"""


# ---------------------------------------------------------------- fish

def fish_quote(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_completion(spec):
    rows = tables(spec)
    subs = " ".join(fish_quote(f"{r['path']}|{n}") for r in rows for n, _ in r["subs"])
    valued = " ".join(fish_quote(f"{r['path']}|{v}") for r in rows for v in r["valued"])
    lines = [
        f"# fish completion for {PROG}. Generated from `{PROG} __spec` by packaging/cli_docs.py: do not edit.",
        "",
        "# The command path the words before the cursor name (\"debug python\"), skipping options and their values.",
        f"function __{PROG}_path",
        f"    set -l subs {subs}",
        f"    set -l valued {valued}",
        "    set -l path ''",
        "    set -l skip 0",
        "    for w in (commandline -opc)[2..-1]",
        "        if test $skip = 1",
        "            set skip 0",
        "            continue",
        "        end",
        "        if test \"$w\" = --",
        "            echo -- '--'",
        "            return",
        "        end",
        "        if string match -q -- '-*' $w",
        "            if not string match -q -- '*=*' $w; and contains -- \"$path|$w\" $valued",
        "                set skip 1",
        "            end",
        "            continue",
        "        end",
        "        if contains -- \"$path|$w\" $subs",
        "            set path (string trim -- \"$path $w\")",
        "        end",
        "    end",
        "    echo -- $path",
        "end",
        "",
        f"function __{PROG}_at",
        f"    test (__{PROG}_path) = \"$argv[1]\"",
        "end",
        "",
        f"complete -c {PROG} -f",
    ]
    for r in rows:
        cond = f"__{PROG}_at {fish_quote(r['path'])}"
        for n, d in r["subs"]:
            lines.append(f"complete -c {PROG} -n {fish_quote(cond)} -a {fish_quote(n)} -d {fish_quote(d)}")
        for n, d in r["opts"]:
            flag = f"-l {fish_quote(n[2:])}" if n.startswith("--") else f"-s {fish_quote(n[1:])}"
            takes = " -r -F" if n in r["valued"] else ""
            lines.append(f"complete -c {PROG} -n {fish_quote(cond)} {flag}{takes} -d {fish_quote(d)}")
        if r["positionals"]:
            lines.append(f"complete -c {PROG} -n {fish_quote(cond)} -F")
    lines.append(f"complete -c {PROG} -n {fish_quote(f'__{PROG}_at --')} -F")
    return "\n".join(lines) + "\n"


def build_date(given):
    if given:
        return given
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch else datetime.datetime.now(datetime.timezone.utc)
    return when.strftime("%Y-%m-%d")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", required=True, help="the output of `dlcontainer __spec`")
    ap.add_argument("--out", required=True, help="folder to write into")
    ap.add_argument("--version", required=True)
    ap.add_argument("--date", help="the man page's date (YYYY-MM-DD)")
    a = ap.parse_args()
    with open(a.spec, encoding="utf-8") as f:
        spec = json.load(f)
    if not spec.get("subcommands"):
        sys.exit(f"{a.spec}: no subcommands: not the output of `{PROG} __spec`")
    os.makedirs(a.out, exist_ok=True)
    files = {
        f"{PROG}.1": man_page(spec, a.version, build_date(a.date)),
        f"{PROG}.bash": bash_completion(spec),
        f"_{PROG}": zsh_completion(spec),
        f"{PROG}.fish": fish_completion(spec),
    }
    for name, text in files.items():
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
