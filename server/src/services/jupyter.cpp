// Jupyter (lab or the classic notebook) in the workspace's container: found again while it runs,
// installed when asked, started as the remote user on the workspace folder with a token, and probed
// through its API from the host side.
#include <sstream>

#include "services/probe.h"
#include "services/service_text.h"
#include "services/services.h"
#include "services/services_impl.h"
#include "support/error.h"
#include "support/shell.h"

namespace dlc::services {

using json = nlohmann::json;

ServiceInfo Services::jupyter(const JupyterOptions& options) {
  const json& settings = section(target_.settings, "jupyter");
  auto snap = snapshot();
  auto running = snap.live("jupyter");
  if (!running.empty()) {
    const auto& r = *running.front();
    ServiceInfo info{.kind = "jupyter", .container_port = r.port, .pid = r.pid, .reused = true};
    info.detail = r.data.value("detail", "");
    info.log = r.data.value("log", "");
    std::string token = r.data.value("token", "");
    reach(info);
    auto answer = wait_http(info.host_ip, info.host_port, "/api/status", {{"Authorization", "token " + token}}, 200,
                            std::chrono::seconds(20), cancel_);
    if (!answer || answer->status != 200) {
      throw Error(ErrorCode::CommandFailed, "Jupyter runs in the container but does not answer on " + info.host_ip + ":" +
                                                std::to_string(info.host_port),
                  "stop it with `dlcontainer jupyter --stop` and start it again");
    }
    info.url = "http://" + info.host_ip + ":" + std::to_string(info.host_port) + (info.detail == "lab" ? "/lab" : "/tree") +
               "?token=" + token;
    return info;
  }

  auto find = [&] {
    int status = 0;
    std::string out = run({"/bin/sh", "-c", "command -v jupyter-lab; command -v jupyter-notebook; true"}, target_.user, &status);
    std::string lab, notebook;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.ends_with("/jupyter-lab")) lab = line;
      if (line.ends_with("/jupyter-notebook")) notebook = line;
    }
    return std::pair{lab, notebook};
  };
  auto [lab, notebook] = find();
  bool want_lab = options.lab || settings.value("lab", false);
  if (lab.empty() && notebook.empty()) {
    if (!options.install && !settings.value("install", false)) {
      throw Error(ErrorCode::CommandFailed, "Jupyter is not installed in the container",
                  "run `dlcontainer jupyter --install` to install it now, set \"customizations\": {\"dlcontainer\": "
                  "{\"jupyter\": {\"install\": true}}}, or add it to the image");
    }
    install("Jupyter", want_lab ? "jupyterlab" : "notebook", "jupyter-notebook", python());
    std::tie(lab, notebook) = find();
    if (lab.empty() && notebook.empty()) {
      throw Error(ErrorCode::CommandFailed, "Jupyter was installed but neither jupyter-lab nor jupyter-notebook is on PATH",
                  "check the image's PATH (remoteEnv) for the user " + target_.user);
    }
  }
  ServiceInfo info{.kind = "jupyter"};
  std::string program;
  if ((want_lab && !lab.empty()) || notebook.empty()) {
    program = lab, info.detail = "lab";
  } else {
    program = notebook, info.detail = "notebook";
    if (want_lab) info.notes.push_back("JupyterLab is not installed: started the classic notebook");
  }
  int wanted = options.port > 0 ? options.port : settings.value("port", 8888);
  const bool exact = options.port > 0;
  auto command_for = [&](int port) {
    std::vector<std::string> cmd{program, "--no-browser", "--ip=" + bind_address(port), "--port=" + std::to_string(port),
                                 "--port-retries=0", "--notebook-dir=" + target_.workspace_folder,
                                 // An editor's port forwarding (web and remote VS Code, code-server) keeps
                                 // its own Host header, which Jupyter's DNS-rebinding check refuses with 403;
                                 // the token, always set, is what guards the server. (NotebookApp: the
                                 // classic notebook 6; ServerApp: jupyter_server's lab and notebook 7.)
                                 "--NotebookApp.allow_remote_access=True", "--ServerApp.allow_remote_access=True"};
    if (target_.user == "root" || target_.user == "0") cmd.push_back("--allow-root");
    return cmd;
  };
  std::string token = random_token();
  progress_.begin("Starting Jupyter (" + info.detail + ")");
  // The token goes in the environment: a command line is readable by every user in the container.
  stopping_if_cancelled(info.pid, [&] {
    // A port taken by another program while Jupyter started (a container on the host's network shares
    // the host's ports) moves it to the next free one, as a port taken before the choice does.
    for (int attempt = 1;; ++attempt) {
      info.container_port = choose_port(attempt == 1 ? snap : snapshot(), wanted, exact);
      info.pid = spawn("jupyter", info.container_port, command_for(info.container_port), {"JUPYTER_TOKEN=" + token},
                       info.log, info.status_file);
      try {
        wait_listening("Jupyter", info.container_port, info.pid, info.log, 90, true);
        break;
      } catch (const Error& e) {
        if (e.code() != ErrorCode::PortUnavailable || exact || attempt == 3) throw;
        progress_.report(std::string(e.what()) + ": trying the next free port");
      }
    }
    reach(info);
    progress_.report("waiting for its API to answer");
    auto answer = wait_http(info.host_ip, info.host_port, "/api/status", {{"Authorization", "token " + token}}, 200,
                            std::chrono::seconds(60), cancel_);
    if (!answer || answer->status != 200) {
      // What Jupyter said tells a server that never saw the requests (the way there is broken) from
      // one that refused or failed them.
      std::string said = run({"/bin/sh", "-c", "tail -n 8 " + shell_quote(info.log)}, "0", nullptr);
      throw Error(ErrorCode::CommandFailed,
                  "Jupyter listens but its API does not answer through " + info.host_ip + ":" + std::to_string(info.host_port) +
                      " (" + info.via + ")" + (answer ? " (status " + std::to_string(answer->status) + ")" : ""),
                  "its log in the container, " + info.log + (said.empty() ? ", is empty" : ", ends:\n" + said));
    }
  });
  progress_.end();
  info.status_file.clear();
  info.url = "http://" + info.host_ip + ":" + std::to_string(info.host_port) + (info.detail == "lab" ? "/lab" : "/tree") +
             "?token=" + token;
  save(info, {{"token", token}});
  return info;
}

}  // namespace dlc::services
