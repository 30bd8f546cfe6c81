#!/usr/bin/env python3
"""The `docker run -d` line that makes the container `docker inspect` describes: the same image, name,
labels, env (what the image does not already set), mounts, user, working dir, entrypoint, command, init,
capabilities, security options, host entries, network, IPC, runtime and shm size. bench/cold.sh runs it
beside `dlcontainer up`, so that both make the same container. Prints it as one shell-quoted line (the
command holds newlines).
Usage: docker_run_of.py INSPECT_JSON IMAGE_INSPECT_JSON NAME"""
import json
import shlex
import sys

c = json.load(open(sys.argv[1]))[0]
image = json.load(open(sys.argv[2]))[0]
name = sys.argv[3]
cfg, host = c["Config"], c["HostConfig"]
args = ["docker", "run", "-d", "--name", name]
image_env = set(image["Config"].get("Env") or [])
for k, v in sorted((cfg.get("Labels") or {}).items()):
    if k not in (image["Config"].get("Labels") or {}):
        args += ["--label", f"{k}={v}"]
for e in cfg.get("Env") or []:
    if e not in image_env:
        args += ["-e", e]
for m in c.get("Mounts") or []:
    if m["Type"] == "bind":
        spec = f"type=bind,src={m['Source']},dst={m['Destination']}"
        if not m.get("RW", True):
            spec += ",readonly"
        args += ["--mount", spec]
    elif m["Type"] == "volume":
        args += ["--mount", f"type=volume,src={m['Name']},dst={m['Destination']}"]
    else:
        sys.exit(f"docker_run_of.py: a {m['Type']} mount is not translated: {m}")
if cfg.get("User"):
    args += ["--user", cfg["User"]]
if cfg.get("WorkingDir") and cfg["WorkingDir"] != image["Config"].get("WorkingDir"):
    args += ["--workdir", cfg["WorkingDir"]]
if host.get("Init"):
    args.append("--init")
for cap in host.get("CapAdd") or []:
    args += ["--cap-add", cap]
for opt in host.get("SecurityOpt") or []:
    args += ["--security-opt", opt]
for h in host.get("ExtraHosts") or []:
    args += ["--add-host", h]
if host.get("NetworkMode") not in (None, "", "default", "bridge"):
    args += ["--network", host["NetworkMode"]]
if host.get("IpcMode") not in (None, "", "private", "shareable"):
    args += ["--ipc", host["IpcMode"]]
if host.get("Runtime") not in (None, "", "runc"):
    args += ["--runtime", host["Runtime"]]
if host.get("ShmSize") and host["ShmSize"] != 67108864:
    args += ["--shm-size", str(host["ShmSize"])]
if host.get("Privileged"):
    args.append("--privileged")
for p, binds in sorted((host.get("PortBindings") or {}).items()):
    for b in binds or []:
        args += ["-p", f"{b.get('HostIp') or ''}:{b.get('HostPort') or ''}:{p}".lstrip(":")]
entry = cfg.get("Entrypoint") or []
if entry != (image["Config"].get("Entrypoint") or []):
    args += ["--entrypoint", entry[0] if entry else ""]
args.append(cfg["Image"])
args += entry[1:] + (cfg.get("Cmd") or [])
print(shlex.join(args))
