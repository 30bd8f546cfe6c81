#include "core/interpreter.h"

#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/container_plan.h"
#include "core/ide_container.h"
#include "services/reverse.h"
#include "support/files.h"
#include "support/error.h"
#include "support/shell.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

bool has_mount_at(const engine::ContainerInfo& info, const std::string& target) {
  return std::any_of(info.mounts.begin(), info.mounts.end(), [&](const auto& m) { return m.target == target; });
}

std::string self_binary() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error(ErrorCode::Internal, "cannot find the dlcontainer program: " + ec.message());
  return p.string();
}

bool inside_or_equal(const std::string& path, const std::string& folder) {
  return path == folder || (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 && path[folder.size()] == '/');
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  for (char c : s) {
    if (c == sep) {
      out.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  out.push_back(part);
  return out;
}

// Where the mirror of the container's libraries asks its Python: as the wrapper runs it, with the
// workspace's folders (the container's, the host path's mirror, binds of folders inside it) mapped
// back to the host rather than copied.
LibsTarget libs_target(const engine::ContainerInfo& info, const ContainerMetadata& meta, const fs::path& folder,
                       const std::string& python) {
  LibsTarget t{.container_id = info.id,
               .image_id = info.image_id,
               .python = python,
               .user = meta.remote_user,
               .env = remote_environment(meta.remote_env, info.env),
               .working_dir = meta.workspace_folder};
  if (!meta.workspace_folder.empty()) t.workspace.emplace_back(meta.workspace_folder, folder.string());
  for (const auto& m : info.mounts) {
    if (m.type == "bind" && inside_or_equal(m.source, folder.string()) && m.target != meta.workspace_folder) {
      t.workspace.emplace_back(m.target, m.source);
    }
  }
  return t;
}

void write_executable(const fs::path& path, const std::string& content) {
  if (!write_file_atomically(path.string(), content, 0755)) {
    throw Error(ErrorCode::Internal, "cannot write " + path.string(), "check that the workspace folder is writable");
  }
}

}  // namespace

std::string wrapper_script(const std::string& dlcontainer_binary, const fs::path& workspace, const std::string& host) {
  return "#!/bin/sh\n"
         "# Written by `dlcontainer interpreter`: the Python of this workspace's container, for any IDE\n"
         "# (PyCharm: Add Interpreter > Local > Existing, or System Interpreter). Arguments, input, output,\n"
         "# exit status and signals pass through. Run `dlcontainer interpreter` again if dlcontainer moves.\n"
         "exec " + shell_quote(dlcontainer_binary) + (host.empty() ? "" : " --host " + shell_quote(host)) + " python --workspace " +
         shell_quote(workspace.string()) + " -- \"$@\"\n";
}

std::map<std::string, std::string> forwarded_environment(const std::map<std::string, std::string>& env) {
  static const std::set<std::string> kHostOnly = {
      "PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "SHLVL", "_", "HOSTNAME", "MAIL",
      "TMPDIR", "TMP", "TEMP", "LANG", "LANGUAGE", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY",
      "LD_LIBRARY_PATH", "LD_PRELOAD", "PYTHONHOME", "PYTHONEXECUTABLE", "PYTHONUSERBASE", "VIRTUAL_ENV",
      "VIRTUAL_ENV_PROMPT", "PS1", "JAVA_HOME", "CLASSPATH", "SESSION_MANAGER", "WINDOWID", "MANPATH",
      "INFOPATH", "INVOCATION_ID", "JOURNAL_STREAM", "MANAGERPID", "SUDO_USER", "SUDO_UID", "SUDO_GID",
      "SUDO_COMMAND", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT"};
  static const char* const kHostPrefixes[] = {"LC_", "XDG_", "DBUS_", "SSH_", "GPG_", "GNOME_", "KDE_",
                                              "QT_", "GTK_", "CONDA_", "_CE_", "DLC_", "SNAP", "DESKTOP_",
                                              "SYSTEMD_", "JDK_", "IDEA_", "BASH_FUNC_", "PYENV_", "PIPENV_"};
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : env) {
    if (k.empty() || kHostOnly.count(k)) continue;
    const std::string& name = k;  // clang 14 cannot capture a structured binding
    bool host = std::any_of(std::begin(kHostPrefixes), std::end(kHostPrefixes), [&](const char* p) { return name.starts_with(p); });
    if (!host) out[k] = v;
  }
  return out;
}

std::string map_path_word(const std::string& word, const std::string& from, const std::string& to) {
  if (from == to || from.empty()) return word;
  if (inside_or_equal(word, from)) return to + word.substr(from.size());
  if (auto eq = word.find('='); eq != std::string::npos && eq > 0 && word.front() == '-') {
    std::string value = word.substr(eq + 1);
    if (inside_or_equal(value, from)) return word.substr(0, eq + 1) + to + value.substr(from.size());
  }
  return word;
}

std::optional<int> pydevd_connect_back_port(const std::vector<std::string>& args) {
  auto script = std::find_if(args.begin(), args.end(), [](const std::string& a) {
    return fs::path(a).filename() == "pydevd.py";
  });
  if (script == args.end()) return std::nullopt;
  std::string host;
  std::optional<int> port;
  for (auto it = script + 1; it != args.end(); ++it) {
    if (*it == "--file") break;  // what follows belongs to the debugged script
    if (it + 1 == args.end()) break;
    if (*it == "--client") host = *(it + 1);
    if (*it == "--port") {
      try {
        std::size_t used = 0;
        int n = std::stoi(*(it + 1), &used);
        if (used == (it + 1)->size() && n > 0 && n < 65536) port = n;
      } catch (const std::exception&) {
      }
    }
  }
  if (!port || !(host == "127.0.0.1" || host == "localhost")) return std::nullopt;
  return port;
}

std::string python_command(const config::DevcontainerConfig& config) {
  if (config.dlcontainer.is_object()) {
    if (auto it = config.dlcontainer.find("python"); it != config.dlcontainer.end()) {
      if (!it->is_string() || it->get<std::string>().empty()) {
        throw Error(ErrorCode::ConfigInvalid, "customizations.dlcontainer.python must be a command in " + config.config_file,
                    "write \"python\": \"/opt/conda/bin/python\" (or leave it out for python3)");
      }
      return *it;
    }
  }
  return "python3";
}

void to_json(json& j, const InterpreterResult& r) {
  j = {{"workspace", r.workspace},
       {"interpreter", r.interpreter},
       {"python", r.python},
       {"pythonVersion", r.python_version},
       {"containerId", r.container_id},
       {"remoteWorkspaceFolder", r.remote_workspace_folder},
       {"mirrorHostPath", r.mirror_host_path},
       {"helpers", r.helpers},
       {"recreated", r.recreated}};
  if (!r.mirror_note.empty()) j["mirrorNote"] = r.mirror_note;
  if (r.libs) j["libs"] = *r.libs;
}

void from_json(const json& j, InterpreterParams& p) {
  if (auto it = j.find("workspace"); it != j.end() && it->is_string()) p.workspace = *it;
  if (auto it = j.find("config"); it != j.end() && it->is_string()) p.config = *it;
  if (auto it = j.find("helpers"); it != j.end() && it->is_array()) p.helpers = it->get<std::vector<std::string>>();
  if (auto it = j.find("libs"); it != j.end() && it->is_boolean()) p.libs = *it;
  if (auto it = j.find("refresh"); it != j.end() && it->is_boolean()) p.libs_options.refresh = *it;
  if (auto it = j.find("libsMaxSize"); it != j.end() && it->is_number_unsigned()) p.libs_options.max_bytes = it->get<std::uint64_t>();
}

InterpreterResult setup_interpreter(Workspaces& workspaces, const InterpreterParams& params, ProgressSink& progress,
                                    const CancelToken& cancel) {
  fs::path folder = workspace_folder(params.workspace);
  // Everything the user gave is checked before anything changes.
  WorkspaceContext ws = load_workspace(folder, params.config);
  std::string python = python_command(ws.config);
  IdeState state = read_ide_state(folder);
  state.interpreter = true;
  for (const auto& h : params.helpers) {
    std::error_code ec;
    fs::path p = fs::absolute(h).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    if (!fs::is_directory(p, ec)) {
      throw Error(ErrorCode::PathNotFound, "the helpers folder " + h + " does not exist",
                  "give PyCharm's helpers folder, e.g. <PyCharm>/plugins/python-ce/helpers");
    }
    if (std::find(state.helpers.begin(), state.helpers.end(), p.string()) == state.helpers.end()) state.helpers.push_back(p.string());
  }
  bool mirror_wanted = mirror_host_path(ws.config, state);
  write_ide_state(folder, state);

  auto ensured = ensure_ide_container(workspaces, folder, params.config, nullptr, progress, cancel);
  const auto& info = ensured.info;
  auto meta = read_metadata(info.labels);

  InterpreterResult r;
  r.workspace = folder.string();
  r.python = python;
  r.container_id = info.id;
  r.remote_workspace_folder = meta.workspace_folder;
  r.recreated = ensured.recreated;
  r.mirror_host_path = has_mount_at(info, folder.string()) || meta.workspace_folder == folder.string();
  if (mirror_wanted && !r.mirror_host_path) r.mirror_note = mirror_refusal(folder).value_or("");
  for (const auto& h : state.helpers) {
    if (has_mount_at(info, h)) r.helpers.push_back(h);
  }

  progress.begin("Checking " + python + " in the container");
  auto version = run_collected(workspaces.engine(), info.id,
                               engine::ExecSpec{.cmd = {python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"},
                                                .user = meta.remote_user},
                               cancel);
  progress.end();
  if (version.status != 0) {
    throw Error(ErrorCode::CommandFailed,
                "`" + python + "` does not run in the container (exit status " + std::to_string(version.status) + ")" +
                    (version.err.empty() ? "" : ": " + version.err.substr(0, 300)),
                "install Python in the image, or set customizations.dlcontainer.python to the container's python");
  }
  r.python_version = version.out.substr(0, version.out.find_first_of("\r\n"));
  if (params.libs) r.libs = ensure_libs_mirror(workspaces.engine(), libs_target(info, meta, folder, python), params.libs_options, progress, cancel);

  fs::path bin = dlcontainer_dir(folder) / "bin";
  fs::create_directories(bin);
  std::string binary = params.dlcontainer_binary.empty() ? self_binary() : params.dlcontainer_binary;
  // A container on a remote engine is reached through that engine whatever DOCKER_HOST the IDE has.
  const auto& endpoint = workspaces.engine().endpoint();
  write_executable(bin / "python", wrapper_script(binary, folder, endpoint.local() ? "" : endpoint.url()));
  std::error_code ec;
  fs::remove(bin / "python3", ec);
  fs::create_symlink("python", bin / "python3", ec);
  r.interpreter = (bin / "python").string();
  return r;
}

PythonLaunch prepare_python(Workspaces& workspaces, const PythonParams& params, ProgressSink& progress,
                            const CancelToken& cancel) {
  fs::path folder = workspace_folder(params.workspace);
  std::string host = folder.string();
  PythonLaunch launch;

  // The IDE's helper scripts, seen in the arguments or on PYTHONPATH, join the mounts.
  IdeState state = read_ide_state(folder);
  auto note_helpers = [&](const std::string& word) {
    std::string candidate = word;
    if (auto eq = word.find('='); eq != std::string::npos && !word.empty() && word.front() == '-') candidate = word.substr(eq + 1);
    if (auto h = ide_helpers_folder(candidate, folder)) {
      if (std::find(state.helpers.begin(), state.helpers.end(), *h) == state.helpers.end()) {
        state.helpers.push_back(*h);
        launch.helpers_added.push_back(*h);
      }
    }
  };
  for (const auto& a : params.args) note_helpers(a);
  if (auto pp = params.env.find("PYTHONPATH"); pp != params.env.end()) {
    for (const auto& entry : split(pp->second, ':')) note_helpers(entry);
  }
  if (!launch.helpers_added.empty()) write_ide_state(folder, state);

  auto lock = std::make_unique<IdeLock>(folder, LOCK_SH);
  auto ensured = ensure_ide_container(workspaces, folder, "", &lock, progress, cancel);
  launch.recreated = ensured.recreated;
  const auto& info = ensured.info;
  auto meta = read_metadata(info.labels);
  WorkspaceContext ws = load_workspace(folder, info.labels.count(kConfigFileLabel) ? info.labels.at(kConfigFileLabel) : "");

  // Mirrored: host paths are container paths. Otherwise the workspace's host paths are rewritten.
  bool mirrored = has_mount_at(info, host) || meta.workspace_folder == host;
  std::string to = mirrored ? host : meta.workspace_folder;

  ExecParams& e = launch.exec;
  e.workspace = host;
  e.command.push_back(python_command(ws.config));
  for (const auto& a : params.args) e.command.push_back(map_path_word(a, host, to));
  for (auto [k, v] : forwarded_environment(params.env)) {
    if (k == "PYTHONPATH") {
      std::string mapped;
      for (const auto& entry : split(v, ':')) mapped += (mapped.empty() ? "" : ":") + map_path_word(entry, host, to);
      v = mapped;
    }
    e.env[k] = v;
  }
  // The run's folder: the IDE's, where the container has it (the workspace or a helpers folder).
  std::string cwd = params.cwd;
  if (inside_or_equal(cwd, host)) {
    e.working_dir = map_path_word(cwd, host, to);
  } else if (std::any_of(info.mounts.begin(), info.mounts.end(), [&](const auto& m) { return m.type == "bind" && inside_or_equal(cwd, m.target) && m.target != "/"; })) {
    e.working_dir = cwd;
  } else {
    e.working_dir = to;
  }
  e.tty = false;  // the front end decides
  e.attach_stdin = true;
  launch.hold = std::shared_ptr<IdeLock>(lock.release());

  // PyCharm's debugger connects back to the IDE: the agent's reverse relay carries 127.0.0.1:PORT in
  // the container to the same port on the host, where the IDE's debug server listens. Every process
  // of the run (pydevd follows subprocesses with the same --port) shares the one relay.
  if (auto port = pydevd_connect_back_port(params.args)) {
    progress.begin("Relaying the debugger's port " + std::to_string(*port) + " to the IDE");
    try {
      launch.relay = std::make_shared<services::ReverseForwarder>(
          workspaces.engine(), services::ReverseForwarder::Options{.container_id = info.id,
                                                                    .container_port = *port,
                                                                    .host_port = *port,
                                                                    .user = meta.remote_user});
    } catch (const Error& err) {
      progress.end();
      if (err.code() != ErrorCode::PortUnavailable) throw;
      throw Error(ErrorCode::PortUnavailable,
                  "the debugger cannot reach the IDE: port " + std::to_string(*port) + " is taken inside the container",
                  "stop what listens on that port in the container (another debug session of this workspace?) and debug again");
    }
    progress.end();
    launch.debug_port = *port;
  }
  return launch;
}

}  // namespace dlc::core
