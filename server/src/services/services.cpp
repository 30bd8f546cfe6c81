// What every service shares: the records and listeners of what runs in the container, spawning as
// the remote user, ports, reaching the host, installing, stopping and listing. Each service's own
// start is in its file (jupyter.cpp, tensorboard.cpp, code_server.cpp, debuggers.cpp).
#include "services/services.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/protocol.h"
#include "services/agent_inject.h"
#include "services/exec_control.h"
#include "services/probe.h"
#include "services/service_text.h"
#include "services/services_impl.h"
#include "support/error.h"
#include "support/shell.h"

namespace dlc::services {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Where services keep their records and output in the container: the remote user's, 0700.
static constexpr const char* kStateDir = "/tmp/.dlcontainer";

void to_json(json& j, const ServiceInfo& s) {
  j = {{"kind", s.kind},          {"url", s.url},   {"hostIp", s.host_ip},   {"hostPort", s.host_port},
       {"containerPort", s.container_port}, {"via", s.via}, {"pid", s.pid}, {"reused", s.reused},
       {"detail", s.detail},      {"log", s.log},   {"notes", s.notes}};
  if (!s.token.empty()) j["token"] = s.token;
  if (!s.status_file.empty()) j["statusFile"] = s.status_file;
  if (!s.launch.is_null()) j["launch"] = s.launch;
}

void to_json(json& j, const PortEntry& p) {
  j = {{"containerPort", p.container_port}, {"protocol", p.protocol}, {"hostIp", p.host_ip}, {"hostPort", p.host_port},
       {"via", p.via},                     {"service", p.service},   {"process", p.process}, {"pid", p.pid}};
}

std::string random_token() {
  unsigned char bytes[24];
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  urandom.read(reinterpret_cast<char*>(bytes), sizeof bytes);
  if (!urandom) throw Error(ErrorCode::Internal, "cannot read /dev/urandom for a token");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) out += hex[b >> 4], out += hex[b & 15];
  return out;
}

std::string last_lines(const std::string& text, int n) {
  auto end = text.find_last_not_of("\n");
  if (end == std::string::npos) return {};
  auto pos = end + 1;
  for (int i = 0; i < n && pos > 0; ++i) {
    auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text.substr(0, end + 1);
    pos = nl;
  }
  return text.substr(pos + 1, end - pos);
}

const json& section(const json& settings, const char* key) {
  static const json empty = json::object();
  auto it = settings.find(key);
  return it != settings.end() && it->is_object() ? *it : empty;
}

// ---- what runs in the container -----------------------------------------------------------------

Services::Services(const engine::Engine& engine, Target target, Forwarders& forwarders, ProgressSink& progress,
                   CancelToken cancel)
    : engine_(engine), target_(std::move(target)), forwarders_(forwarders), progress_(progress), cancel_(std::move(cancel)) {
  agent_ = ensure_agent(engine_, target_.container_id);
}

std::string Services::run(const std::vector<std::string>& cmd, const std::string& user, int* status,
                          const std::string& stdin_data, const std::vector<std::string>& extra_env, bool cancellable) {
  engine::ExecSpec spec;
  spec.cmd = cmd;
  spec.user = user;
  spec.working_dir = target_.workspace_folder;
  if (user == target_.user) spec.env = target_.env;
  spec.env.insert(spec.env.end(), extra_env.begin(), extra_env.end());
  spec.attach_stdin = !stdin_data.empty();
  engine::ExecIO io;
  if (!stdin_data.empty()) io.stdin_data = stdin_data;
  std::string out, err;
  io.on_stdout = [&](std::string_view d) { out.append(d); };
  io.on_stderr = [&](std::string_view d) { err.append(d); };
  int code = engine_.run_exec(target_.container_id, spec, io, cancellable ? cancel_ : CancelToken());
  if (status != nullptr) {
    *status = code;
    return out + err;  // callers that look at the status show whatever it said
  }
  if (code != 0) {
    throw Error(ErrorCode::CommandFailed, "`" + cmd.front() + "` failed in the container (exit status " + std::to_string(code) + ")",
                last_lines(out + err, 10));
  }
  return out;
}

Services::Snapshot Services::snapshot() {
  // One exec, as root (who sees every process's sockets): the records of services whose process
  // still runs, then who listens where.
  std::string script = std::string("d=") + kStateDir +
                       "; for f in \"$d\"/*.json; do [ -f \"$f\" ] || continue; b=${f%.json}; p=${b##*.}; "
                       "[ -d /proc/$p ] && { cat \"$f\"; echo; }; done; echo '#ports'; exec " +
                       agent_ + " ports";
  std::string out = run({"/bin/sh", "-c", script}, "0");
  Snapshot snap;
  std::istringstream lines(out);
  std::string line;
  bool in_ports = false;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line == "#ports") {
      in_ports = true;
      continue;
    }
    if (!in_ports) {
      json j = json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      snap.records.push_back({j, j.value("kind", ""), j.value("containerPort", 0), j.value("pid", 0)});
    } else {
      Snapshot::Listener l;
      std::istringstream fields(line);
      fields >> l.port >> l.addr >> l.pid >> l.name;
      if (l.name == "-") l.name.clear();
      if (l.port > 0) snap.listeners.push_back(l);
    }
  }
  return snap;
}

int Services::choose_port(const Snapshot& snap, int wanted, bool exact) {
  if (!snap.listener(wanted)) return wanted;
  if (exact) {
    throw Error(ErrorCode::PortUnavailable, "port " + std::to_string(wanted) + " in the container is taken by " +
                                                snap.listener(wanted)->name,
                "leave out --port to take the next free one");
  }
  for (int p = wanted + 1; p < wanted + 100 && p < 65536; ++p)
    if (!snap.listener(p)) return p;
  throw Error(ErrorCode::PortUnavailable, "no free port in the container from " + std::to_string(wanted),
              "stop some of what listens there");
}

std::string Services::bind_address(int container_port) const {
  // A published port reaches the container's interface, so the service must listen there; anything
  // else stays on the container's loopback and is reached through the agent.
  for (const auto& p : target_.published)
    if (p.container_port == container_port && p.protocol == "tcp") return "0.0.0.0";
  return "127.0.0.1";
}

void Services::reach(ServiceInfo& info) {
  for (const auto& p : target_.published) {
    if (p.container_port != info.container_port || p.protocol != "tcp" || p.host_port == 0) continue;
    info.host_ip = p.host_ip.empty() || p.host_ip == "0.0.0.0" ? "127.0.0.1" : p.host_ip;
    info.host_port = p.host_port;
    info.via = "published";
    return;
  }
  progress_.report("forwarding container port " + std::to_string(info.container_port));
  auto f = forwarders_.ensure(engine_, target_.container_id, info.container_port);
  info.host_ip = f.host_ip;
  info.host_port = f.host_port;
  info.via = "forwarded";
}

int Services::spawn(const std::string& kind, int port, const std::vector<std::string>& cmd,
                    const std::vector<std::string>& env, std::string& log, std::string& status_file) {
  std::string base = std::string(kStateDir) + "/" + kind + "-" + std::to_string(port);
  log = base + ".log";
  status_file = base + ".status";
  std::vector<std::string> argv{"/bin/sh", "-c",
                                "umask 077; mkdir -p " + std::string(kStateDir) + " && : > " + shell_quote(log) + " && rm -f " +
                                    shell_quote(status_file) + " && exec \"$@\"",
                                "sh", agent_, "spawn", "--log", log, "--status", status_file, "--cwd",
                                target_.workspace_folder, "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  int status = 0;
  // Not cancelled half-way: the pid must come back, so that a cancel after it can end the process.
  std::string out = run(argv, target_.user, &status, {}, env, false);
  if (status != 0) {
    throw Error(ErrorCode::CommandFailed, "cannot start " + kind + " in the container", last_lines(out, 5));
  }
  return std::atoi(out.c_str());
}

void Services::wait_listening(const std::string& kind, int port, int pid, const std::string& log, double seconds, bool own) {
  int status = 0;
  std::vector<std::string> cmd{agent_, "ports", "--wait", std::to_string(port), "--pid", std::to_string(pid),
                               "--timeout", std::to_string(seconds)};
  if (own) cmd.push_back("--own");
  // --own reads the service's descriptors: as its user (root in a container may lack CAP_SYS_PTRACE).
  std::string out = run(cmd, own ? target_.user : "0", &status);
  if (status == 0) return;
  std::string said = run({"/bin/sh", "-c", "tail -n 15 " + shell_quote(log) + " 2>/dev/null || cat " + shell_quote(log)}, "0", nullptr);
  if (status == agent::kExitGone) {
    // It ended, and the port listens: another program took it between the choice and the service's
    // bind (a container on the host's network shares the host's ports). The caller may move on.
    if (const auto* taker = snapshot().listener(port)) {
      throw Error(ErrorCode::PortUnavailable,
                  "port " + std::to_string(port) + " was taken by " + (taker->name.empty() ? "another program" : taker->name) +
                      " while " + kind + " started",
                  last_lines(said, 3));
    }
  }
  std::string what = status == agent::kExitGone ? kind + " ended before it listened on port " + std::to_string(port)
                                                 : kind + " did not listen on port " + std::to_string(port) + " within " +
                                                       std::to_string(static_cast<int>(seconds)) + "s";
  throw Error(ErrorCode::CommandFailed, what, said.empty() ? "its log in the container: " + log : "it said:\n" + said);
}

void Services::save(const ServiceInfo& info, const json& extra) {
  json record = {{"kind", info.kind},     {"containerPort", info.container_port}, {"pid", info.pid},
                 {"detail", info.detail}, {"log", info.log},                      {"statusFile", info.status_file}};
  record.update(extra);
  if (!info.launch.is_null()) record["launch"] = info.launch;
  std::string file = std::string(kStateDir) + "/" + info.kind + "-" + std::to_string(info.container_port) + "." +
                     std::to_string(info.pid) + ".json";
  // One record per port: older ones of the same kind and port go.
  std::string script = "umask 077; mkdir -p " + std::string(kStateDir) + " && rm -f " + kStateDir + "/" + info.kind +
                       "-" + std::to_string(info.container_port) + ".*.json && cat > " + shell_quote(file);
  run({"/bin/sh", "-c", script}, target_.user, nullptr, record.dump() + "\n");
}

std::string Services::python() const {
  return target_.settings.value("python", std::string("python3"));
}

void Services::install(const std::string& what, const std::string& pip_package, const std::string& apt_package,
                       const std::string& py) {
  progress_.begin("Installing " + what + " in the container");
  std::string said;
  int status = 1;
  if (!pip_package.empty() && !py.empty()) {
    // The user's own interpreter first (a venv or conda env takes it), quickly failing offline.
    said = run({py, "-m", "pip", "install", "--disable-pip-version-check", "--retries", "0", "--timeout", "15", pip_package},
               target_.user, &status);
    if (status == 0) return progress_.end("installed " + pip_package + " with pip");
  }
  if (!apt_package.empty()) {
    said += run({"/bin/sh", "-c",
                 "command -v apt-get >/dev/null || { echo 'no apt-get in this image'; exit 100; }; "
                 "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                 "--no-install-recommends " + apt_package + " >/dev/null"},
                "0", &status);
    if (status == 0) return progress_.end("installed " + apt_package + " with apt-get");
  }
  progress_.end();
  throw Error(ErrorCode::CommandFailed, "cannot install " + what + " in the container",
              "add it to the image (" + (pip_package.empty() ? "apt-get install " + apt_package : "pip install " + pip_package) +
                  " in the Dockerfile); what the installers said:\n" + last_lines(said, 8));
}

bool Services::can_ptrace() const {
  if (target_.privileged) return true;
  bool cap = std::any_of(target_.cap_add.begin(), target_.cap_add.end(), [](const std::string& c) {
    return c == "SYS_PTRACE" || c == "CAP_SYS_PTRACE" || c == "ALL";
  });
  bool seccomp = std::any_of(target_.security_opt.begin(), target_.security_opt.end(), [](const std::string& o) {
    return o == "seccomp=unconfined" || o == "seccomp:unconfined";
  });
  return cap && seccomp;
}

int Services::follow(const ServiceInfo& session, const engine::OutputSink& out, const CancelToken& cancel) {
  engine::ExecSpec spec;
  spec.cmd = {agent_, "tail", "--pid", std::to_string(session.pid), "--status", session.status_file, session.log};
  spec.user = target_.user;
  engine::ExecIO io;
  io.on_stdout = out;
  io.on_stderr = out;
  return engine_.run_exec(target_.container_id, spec, io, cancel);
}

int Services::stop(const std::string& kind) {
  auto snap = snapshot();
  std::vector<std::string> pids;
  std::string files;
  for (const auto& r : snap.records) {
    if (r.kind != kind) continue;
    pids.push_back(std::to_string(r.pid));
    files += " " + std::string(kStateDir) + "/" + kind + "-" + std::to_string(r.port) + "." + std::to_string(r.pid) + ".json";
  }
  if (pids.empty()) return 0;
  std::string list;
  for (const auto& p : pids) list += " " + p;
  run({"/bin/sh", "-c", "kill -TERM" + list + " 2>/dev/null; rm -f" + files + "; true"}, "0");
  return static_cast<int>(pids.size());
}

std::vector<ServiceInfo> Services::list() {
  auto snap = snapshot();
  std::vector<ServiceInfo> out;
  auto forwards = registry::list(target_.container_id);
  for (const auto* r : snap.live()) {
    ServiceInfo info{.kind = r->kind, .container_port = r->port, .pid = r->pid, .reused = true};
    info.detail = r->data.value("detail", "");
    info.log = r->data.value("log", "");
    info.status_file = r->data.value("statusFile", "");
    if (auto l = r->data.find("launch"); l != r->data.end()) info.launch = *l;
    info.host_ip.clear();
    for (const auto& p : target_.published) {
      if (p.container_port == r->port && p.protocol == "tcp") {
        info.host_ip = p.host_ip == "0.0.0.0" ? "127.0.0.1" : p.host_ip, info.host_port = p.host_port, info.via = "published";
      }
    }
    for (const auto& f : forwards) {
      if (info.via.empty() && f.container_port == r->port) info.host_ip = f.host_ip, info.host_port = f.host_port, info.via = "forwarded";
    }
    if (info.kind == "jupyter" && info.host_port > 0) {
      info.url = "http://" + info.host_ip + ":" + std::to_string(info.host_port) + (info.detail == "lab" ? "/lab" : "/tree") +
                 "?token=" + r->data.value("token", "");
    } else if (info.kind == "tensorboard" && info.host_port > 0) {
      info.url = "http://" + info.host_ip + ":" + std::to_string(info.host_port) + "/";
    } else if (info.kind == "code" && info.host_port > 0) {
      info.url = code_url(info.host_ip, info.host_port, target_.workspace_folder);
      info.token = r->data.value("token", "");
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<PortEntry> Services::ports() {
  auto snap = snapshot();
  std::vector<PortEntry> out;
  std::set<int> seen;
  auto describe = [&](PortEntry& e) {
    for (const auto* r : snap.live())
      if (r->port == e.container_port) e.service = r->kind;
    if (const auto* l = snap.listener(e.container_port)) e.process = l->name, e.pid = l->pid;
  };
  for (const auto& p : target_.published) {
    PortEntry e{.container_port = p.container_port, .protocol = p.protocol, .host_ip = p.host_ip, .host_port = p.host_port,
                .via = "published"};
    if (p.protocol == "tcp") describe(e);
    out.push_back(e);
    if (p.protocol == "tcp") seen.insert(p.container_port);
  }
  for (const auto& f : registry::list(target_.container_id)) {
    if (seen.count(f.container_port)) continue;
    PortEntry e{.container_port = f.container_port, .host_ip = f.host_ip, .host_port = f.host_port, .via = "forwarded"};
    describe(e);
    out.push_back(e);
    seen.insert(f.container_port);
  }
  for (const auto& l : snap.listeners) {
    if (seen.count(l.port)) continue;
    PortEntry e{.container_port = l.port, .via = "container"};
    describe(e);
    out.push_back(e);
    seen.insert(l.port);
  }
  std::stable_sort(out.begin(), out.end(), [](const PortEntry& a, const PortEntry& b) { return a.container_port < b.container_port; });
  return out;
}

}  // namespace dlc::services
