#include "core/ide_container.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/files.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Writes through a temporary file and a rename, so that a reader never sees half a file.
void write_atomically(const fs::path& path, const std::string& content) {
  if (!write_file_atomically(path.string(), content)) {
    throw Error(ErrorCode::Internal, "cannot write " + path.string(), "check that the workspace folder is writable");
  }
}

bool inside(const fs::path& path, const fs::path& folder) {
  auto rel = path.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != "..";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

fs::path dlcontainer_dir(const fs::path& workspace) { return workspace / ".dlcontainer"; }

void ensure_dlcontainer_dir(const fs::path& workspace) {
  fs::path dir = dlcontainer_dir(workspace);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw Error(ErrorCode::Internal, "cannot create " + dir.string() + ": " + ec.message(),
                "check that the workspace folder is writable");
  }
  if (!fs::exists(dir / ".gitignore")) {
    write_atomically(dir / ".gitignore", "# Written by dlcontainer: what is here belongs to this machine, not the repository.\n*\n");
  }
}

IdeState read_ide_state(const fs::path& workspace) {
  IdeState s;
  std::ifstream in(dlcontainer_dir(workspace) / "ide.json", std::ios::binary);
  if (!in) return s;
  json j = json::parse(in, nullptr, false);
  if (!j.is_object()) return s;
  if (auto it = j.find("interpreter"); it != j.end() && it->is_boolean()) s.interpreter = *it;
  if (auto it = j.find("helpers"); it != j.end() && it->is_array()) {
    for (const auto& h : *it) {
      if (h.is_string()) s.helpers.push_back(h);
    }
  }
  return s;
}

void write_ide_state(const fs::path& workspace, const IdeState& state) {
  ensure_dlcontainer_dir(workspace);
  json j = {{"interpreter", state.interpreter}, {"helpers", state.helpers}};
  write_atomically(dlcontainer_dir(workspace) / "ide.json", j.dump(2) + "\n");
}

bool mirror_host_path(const config::DevcontainerConfig& config, const IdeState& state) {
  if (config.dlcontainer.is_object()) {
    if (auto it = config.dlcontainer.find("mirrorHostPath"); it != config.dlcontainer.end()) {
      if (!it->is_boolean()) {
        throw Error(ErrorCode::ConfigInvalid,
                    "customizations.dlcontainer.mirrorHostPath must be true or false in " + config.config_file,
                    "write \"mirrorHostPath\": true (mount the workspace at its host path too) or false");
      }
      return it->get<bool>();
    }
  }
  return state.interpreter;
}

std::optional<std::string> mirror_refusal(const fs::path& folder) {
  // Mounting over these would hide the image's own files; the workspace then stays only at its
  // container folder and the interpreter maps paths instead.
  static const char* const kSystem[] = {"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
                                        "/proc", "/sbin", "/sys", "/usr"};
  fs::path f = folder.lexically_normal();
  if (f == "/" ) return "the workspace is the root folder";
  for (const char* sys : kSystem) {
    if (f == sys || inside(f, sys)) return folder.string() + " lies in the image's system folder " + sys;
  }
  if (f == "/var" || f == "/opt" || f == "/home" || f == "/root" || f == "/tmp" || f == "/run") {
    return folder.string() + " is a top-level folder of the image";
  }
  return std::nullopt;
}

std::vector<engine::Mount> ide_mounts(const WorkspaceContext& ws, const IdeState& state) {
  std::vector<engine::Mount> out;
  if (mirror_host_path(ws.config, state) && !mirror_refusal(ws.folder)) {
    out.push_back(engine::Mount{.type = "bind", .source = ws.folder.string(), .target = ws.folder.string()});
  }
  for (const auto& h : state.helpers) {
    std::error_code ec;
    if (!fs::is_directory(h, ec)) continue;  // an IDE that was updated away: nothing to mount
    out.push_back(engine::Mount{.type = "bind", .source = h, .target = h, .read_only = true});
  }
  return out;
}

bool ssh_enabled(const config::DevcontainerConfig& config) {
  if (!config.dlcontainer.is_object()) return false;
  auto it = config.dlcontainer.find("ssh");
  if (it == config.dlcontainer.end()) return false;
  if (!it->is_boolean()) {
    throw Error(ErrorCode::ConfigInvalid, "customizations.dlcontainer.ssh must be true or false in " + config.config_file,
                "write \"ssh\": true to run an SSH server in the container (on the host's loopback only)");
  }
  return it->get<bool>();
}

void add_ide_options(const WorkspaceContext& ws, engine::ContainerSpec& spec, const PortPicker& pick_port) {
  for (auto& m : ide_mounts(ws, read_ide_state(ws.folder))) {
    bool taken = std::any_of(spec.mounts.begin(), spec.mounts.end(), [&](const auto& e) { return e.target == m.target; });
    if (!taken) spec.mounts.push_back(std::move(m));
  }
  if (ssh_enabled(ws.config)) {
    bool taken = std::any_of(spec.ports.begin(), spec.ports.end(), [](const auto& p) { return p.container_port == kSshContainerPort; });
    // Never beyond loopback, whatever else the workspace publishes.
    if (!taken) {
      spec.ports.push_back(engine::PortBinding{.container_port = kSshContainerPort, .host_ip = "127.0.0.1",
                                               .host_port = pick_port("127.0.0.1", kSshContainerPort)});
    }
  }
}

std::optional<std::string> ide_helpers_folder(const std::string& word, const fs::path& workspace) {
  if (word.empty() || word.front() != '/') return std::nullopt;
  fs::path p = fs::path(word).lexically_normal();
  fs::path prefix, found;
  for (const auto& part : p) {
    prefix /= part;
    if (part == "helpers" || part == "helpers-pro") found = prefix;  // the last one wins
  }
  if (found.empty()) return std::nullopt;
  std::string low = lower(found.string());
  bool jetbrains = low.find("pycharm") != std::string::npos || low.find("jetbrains") != std::string::npos ||
                   low.find("intellij") != std::string::npos || low.find("python-ce") != std::string::npos;
  if (!jetbrains) return std::nullopt;
  if (found == workspace || inside(found, workspace)) return std::nullopt;  // mounted already
  std::error_code ec;
  if (!fs::is_directory(found, ec)) return std::nullopt;
  return found.string();
}

IdeLock::IdeLock(const fs::path& folder, int operation)
    : lock_(private_runtime_dir() / (sha256_hex(folder.string()).substr(0, 16) + ".ide.lock"), operation) {}

Collected run_collected(const engine::Engine& engine, const std::string& container, engine::ExecSpec spec,
                        const CancelToken& cancel) {
  Collected c;
  engine::ExecIO io;
  io.on_stdout = [&](std::string_view d) { c.out.append(d); };
  io.on_stderr = [&](std::string_view d) { c.err.append(d); };
  c.status = engine.run_exec(container, spec, io, cancel);
  return c;
}

// Commands running in the container besides its main process: an exec's process has parent 0 in the
// container's pid namespace (its parent is the engine's shim, outside), like pid 1 and unlike the
// children of either. The probe itself is such a process, and leaves itself out.
constexpr const char* kRunningExecs =
    "for d in /proc/[0-9]*; do p=${d#/proc/}; [ \"$p\" = 1 ] || [ \"$p\" = $$ ] && continue; "
    "pp=$(sed -n 's/^PPid:[[:space:]]*//p' \"$d/status\" 2>/dev/null); "
    "[ \"$pp\" = 0 ] && echo \"$p $(tr '\\0' ' ' < \"$d/cmdline\" 2>/dev/null)\"; done; true";

std::vector<std::string> running_execs(const engine::Engine& engine, const std::string& container, const CancelToken& cancel) {
  auto c = run_collected(engine, container, engine::ExecSpec{.cmd = {"/bin/sh", "-c", kRunningExecs}, .user = "0"}, cancel);
  std::vector<std::string> out;
  std::string line;
  for (char ch : c.out) {
    if (ch == '\n') {
      if (!line.empty()) out.push_back(line);
      line.clear();
    } else {
      line += ch;
    }
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

namespace {

// What the container lacks, each said as the thing to add ("/path", "the SSH port").
std::vector<std::string> missing_options(const engine::ContainerInfo& info, const WorkspaceContext& ws) {
  std::vector<std::string> out;
  for (const auto& w : ide_mounts(ws, read_ide_state(ws.folder))) {
    bool there = std::any_of(info.mounts.begin(), info.mounts.end(), [&](const auto& m) { return m.target == w.target; });
    if (!there) out.push_back(w.target);
  }
  if (ssh_enabled(ws.config)) {
    bool there = std::any_of(info.ports.begin(), info.ports.end(), [](const auto& p) { return p.container_port == kSshContainerPort; });
    if (!there) out.push_back("the SSH port " + std::to_string(kSshContainerPort));
  }
  return out;
}

}  // namespace

EnsuredContainer ensure_ide_container(Workspaces& workspaces, const fs::path& folder, const std::string& explicit_config,
                                      std::unique_ptr<IdeLock>* shared, ProgressSink& progress, const CancelToken& cancel) {
  // The caller's shared lock is dropped while a re-create holds the exclusive one, and taken again.
  const auto& engine = workspaces.engine();
  EnsuredContainer out;
  std::string config;
  // The running container and what it lacks.
  auto look = [&](engine::ContainerInfo& info) {
    auto status = workspaces.status(StatusParams{.workspace = folder.string()});
    config = !explicit_config.empty() ? explicit_config : status.config_file;
    WorkspaceContext ws = load_workspace(folder, config);
    if (status.state != "running") {
      status.container_id = workspaces.up(UpParams{.workspace = folder.string(), .config = config}, progress, cancel).container_id;
    }
    auto found = engine.inspect_container(status.container_id);
    if (!found) throw Error(ErrorCode::ContainerNotFound, "the container vanished while starting", "run `dlcontainer up` again");
    info = std::move(*found);
    return missing_options(info, ws);
  };
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (shared && !*shared) *shared = std::make_unique<IdeLock>(folder, LOCK_SH);
    auto missing = look(out.info);
    if (missing.empty()) return out;

    // A mount can only be added by making the container anew: never under a running command. Runs
    // of the wrapper hold the lock shared; short ones (an IDE's helper scripts) are waited for.
    if (shared) shared->reset();
    std::unique_ptr<IdeLock> exclusive;
    for (int i = 0; i < 100; ++i) {
      exclusive = std::make_unique<IdeLock>(folder, LOCK_EX | LOCK_NB);
      if (exclusive->held()) break;
      cancel.throw_if_cancelled();
      ::usleep(100 * 1000);
    }
    missing = look(out.info);  // another run may have re-created it meanwhile
    if (missing.empty()) continue;
    std::string what = missing.front() + (missing.size() > 1 ? " (and " + std::to_string(missing.size() - 1) + " more)" : "");
    std::string hint = "let them finish or stop them, then run `dlcontainer interpreter " + folder.string() +
                       "` (the container is re-created from its image; the workspace and named volumes stay)";
    if (!exclusive->held()) {
      throw Error(ErrorCode::Conflict,
                  "the container must be re-created to add " + what + ", but the interpreter is running in it", hint);
    }
    auto busy = running_execs(engine, out.info.id, cancel);
    if (!busy.empty()) {
      throw Error(ErrorCode::Conflict, "the container must be re-created to add " + what + ", but " +
                                           std::to_string(busy.size()) + " command(s) run in it: " + busy.front(), hint);
    }
    progress.begin("Re-creating the container to add " + what);
    progress.end();
    workspaces.down(DownParams{.workspace = folder.string(), .remove = true});
    workspaces.up(UpParams{.workspace = folder.string(), .config = config}, progress, cancel);
    out.recreated = true;
  }
  if (shared && !*shared) *shared = std::make_unique<IdeLock>(folder, LOCK_SH);
  if (look(out.info).empty()) return out;
  throw Error(ErrorCode::Internal, "the container still lacks what the IDE needs after it was re-created",
              "this is a bug in dlcontainer; please report it with -v output");
}


}  // namespace dlc::core
