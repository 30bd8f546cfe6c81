// The container's Python as a local interpreter for any IDE: `dlcontainer interpreter` writes a
// `python` wrapper into the workspace, and each run of the wrapper becomes an exec in the container
// with the IDE's arguments, working folder, environment, streams, signals and exit status.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/devcontainer.h"
#include "core/libs_mirror.h"
#include "core/workspace.h"
#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

struct InterpreterParams {
  std::string workspace = ".";
  std::string config;                 // an explicit devcontainer.json; "" to find it
  std::vector<std::string> helpers;   // IDE helper folders to mount now (the plugin knows PyCharm's)
  std::string dlcontainer_binary;     // what the wrapper runs; "" : this very program
  bool libs = true;                   // mirror the container's libraries for the editor (core/libs_mirror.h)
  LibsOptions libs_options;           // refresh, and the cap
};

struct InterpreterResult {
  std::string workspace;
  std::string interpreter;            // the wrapper: <workspace>/.dlcontainer/bin/python
  std::string python;                 // the command it runs in the container
  std::string python_version;         // what that Python says it is ("3.11.2")
  std::string container_id;
  std::string remote_workspace_folder;
  bool mirror_host_path = false;      // the container has the workspace at its host path too
  std::string mirror_note;            // why not, when it was wanted and could not be
  std::vector<std::string> helpers;   // IDE helper folders mounted read-only
  bool recreated = false;             // the container was re-created to add mounts
  std::optional<LibsMirror> libs;     // unless params.libs is false
};
void to_json(nlohmann::json& j, const InterpreterResult& r);
void from_json(const nlohmann::json& j, InterpreterParams& p);

// Ensures the workspace is up with the mounts the interpreter needs (re-creating the container
// when they are missing and nothing runs in it), checks its Python, and writes the wrapper.
InterpreterResult setup_interpreter(Workspaces& workspaces, const InterpreterParams& params,
                                    ProgressSink& progress = no_progress(), const CancelToken& cancel = {});

// One run of the wrapper, as the IDE started it on the host.
struct PythonParams {
  std::string workspace = ".";
  std::vector<std::string> args;               // python's arguments
  std::string cwd;                             // the host folder it was started in
  std::map<std::string, std::string> env;      // the host environment (forwarded_environment filters it)
};

// An exec to run, and the lock that keeps the container from being re-created under it: hold it
// until the exec returns.
struct PythonLaunch {
  ExecParams exec;
  std::shared_ptr<void> hold;
  std::vector<std::string> helpers_added;  // helper folders seen for the first time by this run
  bool recreated = false;
  // PyCharm's debugger: pydevd is told to connect to the IDE at 127.0.0.1:debug_port, which in the
  // container is the container itself. The agent listens there and relays over an exec to the host's
  // port (services::ReverseForwarder) until the launch is dropped. 0 when the run is no debug session.
  int debug_port = 0;
  std::shared_ptr<void> relay;  // declared after `hold`: it stops before the lock is let go
};
PythonLaunch prepare_python(Workspaces& workspaces, const PythonParams& params,
                            ProgressSink& progress = no_progress(), const CancelToken& cancel = {});

// --- pure pieces, exposed for tests ---

// The wrapper script for a workspace: `exec <dlcontainer> python --workspace <folder> -- "$@"`.
// host: the engine's URL when it is remote ("" : the default engine).
std::string wrapper_script(const std::string& dlcontainer_binary, const std::filesystem::path& workspace,
                           const std::string& host = {});

// The host variables that travel into the container: all but those that describe the host itself
// (PATH, HOME, USER, SHELL, locale, XDG_*, SSH_*, LD_*, VIRTUAL_ENV, CONDA_*, DLC_*, ...).
std::map<std::string, std::string> forwarded_environment(const std::map<std::string, std::string>& env);

// Rewrites a host path under `from` to the same place under `to` (a word, or the value after the
// first '=' of `--opt=value`); other words are returned unchanged.
std::string map_path_word(const std::string& word, const std::string& from, const std::string& to);

// The port of the IDE's debug server that pydevd is told to connect back to, when the arguments
// start PyCharm's debugger: a script named pydevd.py followed by `--client HOST --port N`, HOST being
// this machine's IPv4 loopback (127.0.0.1, localhost: where the agent listens in the container).
// nullopt otherwise.
std::optional<int> pydevd_connect_back_port(const std::vector<std::string>& args);

// The python command in the container: customizations.dlcontainer.python, else "python3".
std::string python_command(const config::DevcontainerConfig& config);

}  // namespace dlc::core
