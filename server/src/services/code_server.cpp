// code-server (VS Code in the browser) in the workspace's container, as a service like Jupyter:
// started as the remote user on the workspace folder, behind a random password (its --auth password,
// given in its environment, never on a command line that every user in the container can read),
// reached on the host's 127.0.0.1 through the published port or a forward.
#include <sstream>

#include "engine/http.h"
#include "services/probe.h"
#include "services/service_text.h"
#include "services/services.h"
#include "services/services_impl.h"
#include "support/error.h"

namespace dlc::services {

using json = nlohmann::json;

namespace {

// code-server's releases follow Node.js: 4.89.1 is the last for Node 18 (Debian 12's), 4.100.3 the
// last for Node 20; later Node takes the newest.
std::string code_server_for_node(int major) {
  if (major <= 18) return "code-server@4.89.1";
  if (major <= 20) return "code-server@4.100.3";
  return "code-server";
}

const char* kInstallHint =
    "add code-server to the image, e.g. `RUN apt-get install -y nodejs npm build-essential python3 pkg-config "
    "libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev && npm install -g --unsafe-perm code-server@4.89.1` "
    "(Debian 12's Node 18; see https://coder.com/docs/code-server/install), then `dlcontainer up --rebuild`";

}  // namespace

std::string code_url(const std::string& host, int port, const std::string& folder) {
  return "http://" + host + ":" + std::to_string(port) + "/?folder=" + engine::url_encode(folder);
}

void Services::install_code_server() {
  int status = 0;
  std::string node = run({"/bin/sh", "-c", "command -v npm >/dev/null && node --version"}, "0", &status);
  if (status != 0) {
    throw Error(ErrorCode::CommandFailed, "code-server is not installed in the container, and it has no Node.js and npm to install it with",
                kInstallHint);
  }
  int major = 0;
  std::istringstream(node.substr(node.find('v') == std::string::npos ? 0 : node.find('v') + 1)) >> major;
  std::string package = code_server_for_node(major);
  progress_.begin("Installing " + package + " with npm in the container (native modules are built: minutes)");
  std::string said = run({"/bin/sh", "-c",
                          "npm_config_yes=true npm install -g --unsafe-perm --no-fund --no-audit --loglevel=error " + package + " 2>&1"},
                         "0", &status);
  progress_.end(status == 0 ? "installed " + package : "");
  if (status != 0) {
    throw Error(ErrorCode::CommandFailed, "cannot install " + package + " with npm in the container",
                std::string(kInstallHint) + "; what npm said:\n" + last_lines(said, 10));
  }
}

ServiceInfo Services::code(const CodeOptions& options) {
  const json& settings = section(target_.settings, "code");
  auto snap = snapshot();
  auto running = snap.live("code");
  if (!running.empty()) {
    const auto& r = *running.front();
    ServiceInfo info{.kind = "code", .container_port = r.port, .pid = r.pid, .reused = true};
    info.detail = r.data.value("detail", "");
    info.log = r.data.value("log", "");
    info.token = r.data.value("token", "");
    reach(info);
    auto answer = wait_http(info.host_ip, info.host_port, "/healthz", {}, 200, std::chrono::seconds(20), cancel_);
    if (!answer || answer->status != 200) {
      throw Error(ErrorCode::CommandFailed, "code-server runs in the container but does not answer on " + info.host_ip + ":" +
                                                std::to_string(info.host_port),
                  "stop it with `dlcontainer code --stop` and start it again");
    }
    info.url = code_url(info.host_ip, info.host_port, target_.workspace_folder);
    return info;
  }

  auto find = [&] {
    int status = 0;
    return last_lines(run({"/bin/sh", "-c", "command -v code-server; true"}, target_.user, &status), 1);
  };
  std::string program = find();
  if (program.empty()) {
    if (!options.install && !settings.value("install", false)) {
      throw Error(ErrorCode::CommandFailed, "code-server is not installed in the container",
                  "run `dlcontainer code --install` to install it with the container's npm, set \"customizations\": "
                  "{\"dlcontainer\": {\"code\": {\"install\": true}}}, or " + std::string(kInstallHint));
    }
    install_code_server();
    program = find();
    if (program.empty()) {
      throw Error(ErrorCode::CommandFailed, "code-server was installed but is not on PATH for " + target_.user,
                  "check npm's global bin folder (npm prefix -g) and the image's PATH (remoteEnv)");
    }
  }
  ServiceInfo info{.kind = "code", .detail = target_.workspace_folder};
  int wanted = options.port > 0 ? options.port : settings.value("port", 8080);
  info.container_port = choose_port(snap, wanted, options.port > 0);
  info.token = random_token();
  std::vector<std::string> cmd{program, "--bind-addr", bind_address(info.container_port) + ":" + std::to_string(info.container_port),
                               "--auth", "password", "--disable-telemetry", "--disable-update-check",
                               "--disable-workspace-trust", "--ignore-last-opened", target_.workspace_folder};
  progress_.begin("Starting code-server");
  stopping_if_cancelled(info.pid, [&] {
    info.pid = spawn("code", info.container_port, cmd, {"PASSWORD=" + info.token}, info.log, info.status_file);
    wait_listening("code-server", info.container_port, info.pid, info.log, 90);
    reach(info);
    progress_.report("waiting for it to answer");
    auto answer = wait_http(info.host_ip, info.host_port, "/healthz", {}, 200, std::chrono::seconds(60), cancel_);
    if (!answer || answer->status != 200) {
      throw Error(ErrorCode::CommandFailed,
                  "code-server listens but does not answer through " + info.host_ip + ":" + std::to_string(info.host_port) +
                      (answer ? " (status " + std::to_string(answer->status) + ")" : ""),
                  "its log in the container: " + info.log);
    }
  });
  progress_.end();
  info.status_file.clear();
  info.url = code_url(info.host_ip, info.host_port, target_.workspace_folder);
  save(info, {{"token", info.token}});
  return info;
}

}  // namespace dlc::services
