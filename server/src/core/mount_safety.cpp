#include "core/mount_safety.h"

#include <sys/stat.h>

#include <filesystem>

#include "support/error.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

// Folders whose read-write bind lets the container change how the host boots, logs in or runs.
const char* const kSystemFolders[] = {"/",     "/bin", "/boot", "/dev",  "/etc", "/home", "/lib", "/lib32",
                                      "/lib64", "/opt", "/proc", "/root", "/run", "/sbin", "/sys",
                                      "/usr",  "/var", "/var/run", "/var/lib", "/var/lib/docker"};

bool engine_socket_name(const std::string& name) {
  return name == "docker.sock" || name == "podman.sock" || name == "containerd.sock";
}

}  // namespace

std::vector<DangerousMount> dangerous_mounts(const std::vector<engine::Mount>& mounts, const std::string& engine_socket) {
  std::vector<DangerousMount> out;
  std::error_code ec;
  fs::path socket = engine_socket.empty() ? fs::path() : fs::weakly_canonical(engine_socket, ec);
  for (const auto& m : mounts) {
    if (m.type != "bind" || m.source.empty()) continue;
    // Lexically first (`..` cannot climb above /), then through links where the path exists.
    fs::path lexical = fs::path(m.source).lexically_normal();
    if (lexical.has_filename() == false && lexical != lexical.root_path()) lexical = lexical.parent_path();
    fs::path real = fs::weakly_canonical(lexical, ec);
    if (ec) real = lexical;
    struct stat st {};
    bool is_socket = ::stat(real.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
    if (is_socket && (engine_socket_name(real.filename().string()) || (!socket.empty() && real == socket))) {
      out.push_back({m, real.string(), "the container engine's socket: whoever reaches it is root on the host"});
      continue;
    }
    if (m.read_only) continue;
    for (const char* folder : kSystemFolders) {
      if (real == folder || lexical == folder) {
        out.push_back({m, real.string(),
                       std::string(real == "/" ? "the host's root folder" : "a system folder of the host") + ", writable"});
        break;
      }
    }
  }
  return out;
}

void check_mounts(const WorkspaceContext& ws, const std::string& engine_socket, ProgressSink& progress) {
  const auto& c = ws.config;
  std::vector<engine::Mount> binds{
      c.workspace_mount.value_or(engine::Mount{.type = "bind", .source = ws.folder.string(), .target = ws.remote_workspace_folder})};
  binds.insert(binds.end(), c.mounts.begin(), c.mounts.end());
  binds.insert(binds.end(), c.run_args.volumes.begin(), c.run_args.volumes.end());
  auto found = dangerous_mounts(binds, engine_socket);
  if (found.empty()) return;
  bool allowed = false;
  if (auto it = c.dlcontainer.find("allowDangerousMounts"); it != c.dlcontainer.end()) {
    if (!it->is_boolean()) {
      throw Error(ErrorCode::ConfigInvalid, c.config_file + ": \"customizations.dlcontainer.allowDangerousMounts\" must be true or false");
    }
    allowed = it->get<bool>();
  }
  std::string list;
  for (const auto& d : found) {
    list += "\n  " + d.mount.source + (d.resolved != d.mount.source ? " (" + d.resolved + ")" : "") + " -> " + d.mount.target +
            ": " + d.why;
  }
  if (allowed) {
    progress.output("warning: dangerous mounts, allowed by customizations.dlcontainer.allowDangerousMounts:" + list);
    return;
  }
  throw Error(ErrorCode::ConfigInvalid, "the container would mount what gives it the host:" + list,
              "mount a narrower folder, or read-only; if you mean it, add \"customizations\": {\"dlcontainer\": "
              "{\"allowDangerousMounts\": true}} to devcontainer.json");
}

}  // namespace dlc::core
