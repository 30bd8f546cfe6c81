// TensorBoard in the workspace's container: on the logdir asked for or the first of runs/, logs/,
// lightning_logs/, installed with pip when asked, and probed from the host side.
#include <filesystem>

#include "services/probe.h"
#include "services/service_text.h"
#include "services/services.h"
#include "services/services_impl.h"
#include "support/error.h"
#include "support/shell.h"

namespace dlc::services {

namespace fs = std::filesystem;
using json = nlohmann::json;

ServiceInfo Services::tensorboard(const TensorBoardOptions& options) {
  const json& settings = section(target_.settings, "tensorboard");
  auto snap = snapshot();
  auto running = snap.live("tensorboard");
  std::string logdir = !options.logdir.empty() ? options.logdir : settings.value("logdir", std::string());
  bool chosen = !logdir.empty();
  if (!chosen) {
    for (const char* candidate : {"runs", "logs", "lightning_logs"}) {
      std::error_code ec;
      if (fs::is_directory(fs::path(target_.host_folder) / candidate, ec)) {
        logdir = candidate;
        break;
      }
    }
  }
  if (!running.empty()) {
    const auto& r = *running.front();
    ServiceInfo info{.kind = "tensorboard", .container_port = r.port, .pid = r.pid, .reused = true};
    info.detail = r.data.value("detail", "");
    info.log = r.data.value("log", "");
    if (chosen && fs::path(target_.workspace_folder) / logdir != fs::path(info.detail) && logdir != info.detail) {
      info.notes.push_back("TensorBoard already runs on " + info.detail +
                           "; `dlcontainer tensorboard --stop` first to show " + logdir);
    }
    reach(info);
    auto answer = wait_http(info.host_ip, info.host_port, "/", {}, 200, std::chrono::seconds(20), cancel_);
    if (!answer) {
      throw Error(ErrorCode::CommandFailed, "TensorBoard runs in the container but does not answer",
                  "stop it with `dlcontainer tensorboard --stop` and start it again");
    }
    info.url = "http://" + info.host_ip + ":" + std::to_string(info.host_port) + "/";
    return info;
  }

  ServiceInfo info{.kind = "tensorboard"};
  if (logdir.empty()) {
    logdir = "runs";
    info.notes.push_back("no runs/, logs/ or lightning_logs/ in the workspace yet: showing runs/, where "
                         "torch.utils.tensorboard writes by default");
  }
  info.detail = fs::path(logdir).is_absolute() ? logdir : (fs::path(target_.workspace_folder) / logdir).string();
  auto find = [&] {
    int status = 0;
    std::string out = run({"/bin/sh", "-c",
                           "command -v tensorboard || { " + shell_quote(python()) +
                               " -c 'import tensorboard' 2>/dev/null && echo module; }; true"},
                          target_.user, &status);
    return last_lines(out, 1);
  };
  std::string found = find();
  if (found.empty()) {
    if (!options.install && !settings.value("install", false)) {
      throw Error(ErrorCode::CommandFailed, "TensorBoard is not installed in the container",
                  "run `dlcontainer tensorboard --install` (pip install tensorboard; Debian has no package), or add it "
                  "to the image");
    }
    install("TensorBoard", "tensorboard", "", python());
    found = find();
    if (found.empty()) throw Error(ErrorCode::CommandFailed, "TensorBoard was installed but cannot be found on PATH");
  }
  std::vector<std::string> cmd = found == "module" ? std::vector<std::string>{python(), "-m", "tensorboard.main"}
                                                   : std::vector<std::string>{found};
  int wanted = options.port > 0 ? options.port : settings.value("port", 6006);
  info.container_port = choose_port(snap, wanted, options.port > 0);
  cmd.insert(cmd.end(), {"--logdir", info.detail, "--port", std::to_string(info.container_port), "--host",
                         bind_address(info.container_port)});
  progress_.begin("Starting TensorBoard on " + info.detail);
  stopping_if_cancelled(info.pid, [&] {
    info.pid = spawn("tensorboard", info.container_port, cmd, {}, info.log, info.status_file);
    wait_listening("TensorBoard", info.container_port, info.pid, info.log, 120);
    reach(info);
    auto answer = wait_http(info.host_ip, info.host_port, "/", {}, 200, std::chrono::seconds(60), cancel_);
    if (!answer || answer->status != 200) {
      throw Error(ErrorCode::CommandFailed,
                  "TensorBoard listens but does not answer through " + info.host_ip + ":" + std::to_string(info.host_port),
                  "its log in the container: " + info.log);
    }
  });
  progress_.end();
  info.status_file.clear();
  info.url = "http://" + info.host_ip + ":" + std::to_string(info.host_port) + "/";
  save(info, json::object());
  return info;
}

}  // namespace dlc::services
