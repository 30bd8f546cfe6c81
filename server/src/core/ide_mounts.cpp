#include "core/ide_mounts.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/error.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Writes through a temporary file and a rename, so that a reader never sees half a file.
void write_atomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw Error(ErrorCode::Internal, "cannot write " + tmp.string(), "check that the workspace folder is writable");
  }
  fs::rename(tmp, path);
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

void add_ide_mounts(const WorkspaceContext& ws, engine::ContainerSpec& spec) {
  for (auto& m : ide_mounts(ws, read_ide_state(ws.folder))) {
    bool taken = std::any_of(spec.mounts.begin(), spec.mounts.end(), [&](const auto& e) { return e.target == m.target; });
    if (!taken) spec.mounts.push_back(std::move(m));
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

}  // namespace dlc::core
