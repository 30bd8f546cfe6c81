// Jupyter, TensorBoard, debugpy and gdbserver in a workspace's container: how each starts (as the
// remote user, in the workspace folder, detached from the exec that starts it), how it is found again
// while it runs (a record in the container beside a look at who listens where), and how the host
// reaches it (the published port, else a forward through the agent), probed from the host side.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "services/forward.h"
#include "support/progress.h"

namespace dlc::services {

// Where services run: the workspace's running container, as core/ found it.
struct Target {
  std::string container_id;
  std::string user;              // the remote user
  std::string workspace_folder;  // in the container
  std::string host_folder;       // the same folder on the host
  std::vector<std::string> env;  // the remote environment, KEY=VALUE
  std::vector<engine::PortBinding> published;
  std::vector<std::string> cap_add;
  std::vector<std::string> security_opt;
  bool privileged = false;
  nlohmann::json settings = nlohmann::json::object();  // customizations.dlcontainer
};

// A service as the user reaches it.
struct ServiceInfo {
  std::string kind;             // jupyter | tensorboard | debugpy | gdbserver | code
  std::string url;              // what to open (web services); "" for debuggers
  std::string token;            // code: the password its login page asks for
  std::string host_ip = "127.0.0.1";
  int host_port = 0;
  int container_port = 0;
  std::string via;              // published | forwarded
  int pid = 0;                  // in the container
  bool reused = false;          // it was running already
  std::string detail;           // jupyter: lab|notebook; tensorboard: its logdir; debuggers: the program
  std::string log;              // its output, a file in the container
  std::string status_file;      // debuggers: where its exit status is written when it ends
  nlohmann::json launch;        // debuggers: the VS Code launch.json entry that attaches
  std::vector<std::string> notes;
};
void to_json(nlohmann::json& j, const ServiceInfo& s);

// One row of `dlcontainer ports`.
struct PortEntry {
  int container_port = 0;
  std::string protocol = "tcp";
  std::string host_ip;   // "" when the host cannot reach it yet
  int host_port = 0;
  std::string via;       // published | forwarded | container (listens, not reachable from the host)
  std::string service;   // jupyter | tensorboard | debugpy | gdbserver | ""
  std::string process;   // the program that listens there, when something does
  int pid = 0;
};
void to_json(nlohmann::json& j, const PortEntry& p);

struct JupyterOptions {
  bool lab = false;      // prefer JupyterLab (the classic notebook when only that is installed)
  bool install = false;  // install it when the image has none
  int port = 0;          // in the container; 0: settings.jupyter.port or 8888
};

struct TensorBoardOptions {
  std::string logdir;  // relative to the workspace or absolute in the container; "" : runs/, logs/, lightning_logs/
  bool install = false;
  int port = 0;        // 0: settings.tensorboard.port or 6006
};

struct CodeOptions {
  bool install = false;  // install code-server (npm, in the container) when the image has none
  int port = 0;          // in the container; 0: settings.code.port or 8080
};

struct DebugOptions {
  std::vector<std::string> command;  // python: [python] script.py|-m mod|-c code ARGS; gdb: ./prog ARGS
  int pid = 0;                       // attach to this process (in the container) instead
  bool wait = false;                 // python: hold the script until a client attaches
  int port = 0;                      // in the container; 0: 5678 (debugpy), 2345 (gdbserver)
};

class Services {
 public:
  // cancel: stops what is under way (an install, the wait for a service to listen or answer) with
  // Error{Cancelled}; a service started by the cancelled call is stopped again.
  Services(const engine::Engine& engine, Target target, Forwarders& forwarders, ProgressSink& progress = no_progress(),
           CancelToken cancel = {});

  // Started, or the running one again (same URL). Error{CommandFailed} with the service's own last
  // words when it does not come up; Error{CommandFailed} with a hint when it is not installed.
  ServiceInfo jupyter(const JupyterOptions& options);
  ServiceInfo tensorboard(const TensorBoardOptions& options);
  // code-server (VS Code in the browser) on the workspace folder, behind a random password
  // (services/code_server.cpp).
  ServiceInfo code(const CodeOptions& options);
  ServiceInfo debugpy(const DebugOptions& options);
  ServiceInfo gdbserver(const DebugOptions& options);
  // Stops the running services of a kind (jupyter, tensorboard, debugpy, gdbserver); how many.
  int stop(const std::string& kind);
  // The running services of every kind.
  std::vector<ServiceInfo> list();
  // Container ports: published, forwarded, or only listening inside; and what serves there.
  std::vector<PortEntry> ports();

  // Copies a debugger's output as it comes until it ends; returns its exit status.
  int follow(const ServiceInfo& session, const engine::OutputSink& out, const CancelToken& cancel = {});

  // Whether the container may ptrace (SYS_PTRACE and an unconfined seccomp profile).
  bool can_ptrace() const;
  const Target& target() const { return target_; }

 private:
  struct Snapshot;
  Snapshot snapshot();
  std::string run(const std::vector<std::string>& cmd, const std::string& user, int* status = nullptr,
                  const std::string& stdin_data = {}, const std::vector<std::string>& extra_env = {}, bool cancellable = true);
  int spawn(const std::string& kind, int port, const std::vector<std::string>& cmd, const std::vector<std::string>& env,
            std::string& log, std::string& status_file);
  // Until `port` listens (own: a socket of process `pid` or of one it started, not another program's).
  // Error{PortUnavailable} when `pid` ended and another program holds the port now; Error{CommandFailed}
  // with the service's log for any other failure.
  void wait_listening(const std::string& kind, int port, int pid, const std::string& log, double seconds, bool own = false);
  int choose_port(const Snapshot& snap, int wanted, bool exact);
  std::string bind_address(int container_port) const;
  void reach(ServiceInfo& info);
  void save(const ServiceInfo& info, const nlohmann::json& extra);
  void install(const std::string& what, const std::string& pip_package, const std::string& apt_package,
               const std::string& python);
  std::string python() const;
  void install_code_server();
  ServiceInfo debug(const std::string& kind, const DebugOptions& options);
  // Runs start(); when it is cancelled after it spawned the service at pid, that process is ended.
  template <class Fn>
  void stopping_if_cancelled(const int& pid, Fn&& start);

  const engine::Engine& engine_;
  Target target_;
  std::string agent_;  // the agent's path in the container
  Forwarders& forwarders_;
  ProgressSink& progress_;
  CancelToken cancel_;
};

// Debugging and GUI settings (customizations.dlcontainer.debug, .gui) as additions to the container
// spec: SYS_PTRACE and seccomp=unconfined only when debugging is on; the X11 socket, DISPLAY and an
// xauth cookie (written under $XDG_CACHE_HOME/dlcontainer/x11/NAME) when GUI windows are.
void add_container_options(const nlohmann::json& settings, const std::string& container_name, engine::ContainerSpec& spec);
// The host address that forwardPorts/appPort publish on: settings.bindAddress, else 127.0.0.1.
std::string publish_address(const nlohmann::json& settings);
// Writes the xauth cookie file again (a restarted X server has a new cookie). No-op without gui.
void refresh_display(const nlohmann::json& settings, const std::string& container_name);

}  // namespace dlc::services
