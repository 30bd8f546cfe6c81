#!/usr/bin/env python3
"""Checks the built-in catalog (server/catalog/*.json) against schemas/catalog.schema.json, and that
every row names a source the file defines. Run by ctest (catalog_schema); needs python3-jsonschema."""
import glob
import json
import os
import sys

import jsonschema

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
schema = json.load(open(os.path.join(repo, "schemas", "catalog.schema.json")))
validator = jsonschema.Draft202012Validator(schema)
problems = []
files = sorted(glob.glob(os.path.join(repo, "server", "catalog", "*.json")))
if not files:
    problems.append("no catalog files under server/catalog")
for path in files:
    doc = json.load(open(path))
    name = os.path.relpath(path, repo)
    for err in validator.iter_errors(doc):
        problems.append(f"{name}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
    sources = doc.get("sources", {})

    def need(row, where, key="source"):
        if key not in row:
            problems.append(f"{name}: {where}: no {key}")
        elif row[key] not in sources:
            problems.append(f"{name}: {where}: {key} {row[key]!r} is not in sources")

    for f in doc.get("frameworks", []):
        for r in f["releases"]:
            need(r, f"{f['name']} {r['version']}")
            if "python" in r:
                need(r, f"{f['name']} {r['version']} python", "pythonSource")
            for i in r["images"]:
                need(i, i["image"])
    for i in doc.get("cudaImages", []):
        need(i, i["image"])
    for i in doc.get("pythonImages", []):
        need(i, i["image"])
        if "released" in i:
            need(i, i["image"] + " released", "releasedSource")
    for t in doc.get("drivers", {}).get("toolkits", []):
        need(t, "CUDA " + t["cuda"])
    for m in doc.get("drivers", {}).get("minorVersionCompatibility", []):
        need(m, f"CUDA {m['cudaMajor']}.x minor-version compatibility")
    for b in doc.get("buildNeeds", []):
        need(b, b["package"])
    for f in doc.get("frameworks", []):
        if "imagePython" in f:
            need(f, f"{f['name']} imagePython", "imagePythonSource")
        for a in f.get("buildArchs", []):
            need(a, f"{f['name']} {a['releases']} CUDA {a['cuda']} architectures")
    for c in doc.get("companions", []):
        need(c, "companion " + c["package"])
    for r in doc.get("removedApis", []):
        need(r, "removed API " + r["api"])
    for n in doc.get("ngcReleases", []):
        need(n, "NGC " + n["release"])
for p in problems:
    print(p)
print(f"{len(files)} catalog files, {len(problems)} problems")
sys.exit(1 if problems else 0)
