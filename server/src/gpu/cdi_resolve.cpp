// CDI names resolved by dlcontainer itself, for an engine whose API cannot take them: Podman 4.3's
// Docker-compatible create stats HostConfig.Devices as paths and ignores DeviceRequests{driver: cdi}
// (only its own libpod API resolves CDI). The specs' edits become the container's devices, mounts and
// environment, as the engine would apply them.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "gpu/cdi.h"
#include "support/error.h"

namespace dlc::gpu {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxSpecBytes = 4u << 20;
constexpr std::size_t kMaxEntries = 10000;

std::string scalar(const YAML::Node& n, const char* key, const std::string& fallback = {}) {
  auto v = n[key];
  return v && v.IsScalar() ? v.as<std::string>() : fallback;
}

void add_edits(const YAML::Node& edits, CdiEdits& out) {
  if (!edits || !edits.IsMap()) return;
  auto list = [&](const char* field) {
    auto l = edits[field];
    return l && l.IsSequence() && l.size() <= kMaxEntries ? l : YAML::Node(YAML::NodeType::Sequence);
  };
  for (const auto& e : list("env")) {
    if (e.IsScalar()) out.env.push_back(e.as<std::string>());
  }
  for (const auto& d : list("deviceNodes")) {
    if (!d.IsMap()) continue;
    std::string path = scalar(d, "path");
    if (path.empty()) continue;
    engine::DeviceMapping m{.path_on_host = scalar(d, "hostPath", path), .path_in_container = path,
                            .permissions = scalar(d, "permissions", "rwm")};
    if (std::find(out.devices.begin(), out.devices.end(), m) == out.devices.end()) out.devices.push_back(m);
  }
  for (const auto& m : list("mounts")) {
    if (!m.IsMap()) continue;
    engine::Mount mount{.type = "bind", .source = scalar(m, "hostPath"), .target = scalar(m, "containerPath")};
    if (mount.source.empty() || mount.target.empty()) continue;
    if (auto opts = m["options"]; opts && opts.IsSequence()) {
      for (const auto& o : opts) mount.read_only |= o.IsScalar() && o.as<std::string>() == "ro";
    }
    if (std::find(out.mounts.begin(), out.mounts.end(), mount) == out.mounts.end()) out.mounts.push_back(mount);
  }
  for (const auto& h : list("hooks")) {
    if (h.IsMap()) out.skipped.push_back("the " + scalar(h, "hookName", "?") + " hook " + scalar(h, "path", "?"));
  }
}

struct LoadedSpec {
  std::string file;
  YAML::Node doc;
};

// Specs by kind, read from the folders in order; a later folder's spec of a kind wins, as in CDI.
std::map<std::string, LoadedSpec> load_specs(const std::vector<std::string>& dirs, const fs::path& root) {
  std::map<std::string, LoadedSpec> by_kind;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root / fs::path(dir).relative_path(), ec)) {
      auto ext = e.path().extension().string();
      if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::error_code size_ec;
      if (fs::file_size(f, size_ec) > kMaxSpecBytes || size_ec) continue;
      try {
        YAML::Node doc = YAML::LoadFile(f.string());
        std::string kind = scalar(doc, "kind");
        if (!kind.empty()) by_kind[kind] = {(fs::path(dir) / f.filename()).string(), doc};
      } catch (const YAML::Exception&) {
        // discovery reports unreadable specs; here a name they would have held is simply not found
      }
    }
  }
  return by_kind;
}

}  // namespace

CdiEdits resolve_cdi_devices(const std::vector<std::string>& names, const std::vector<std::string>& dirs,
                             const std::string& root) {
  auto specs = load_specs(dirs, root.empty() ? fs::path("/") : fs::path(root));
  CdiEdits out;
  std::vector<std::string> used_kinds;
  for (const auto& name : names) {
    auto eq = name.find('=');
    std::string kind = name.substr(0, eq), device = eq == std::string::npos ? "" : name.substr(eq + 1);
    auto it = specs.find(kind);
    bool found = false;
    if (it != specs.end() && !device.empty()) {
      if (auto devices = it->second.doc["devices"]; devices && devices.IsSequence()) {
        for (const auto& d : devices) {
          if (!d.IsMap() || scalar(d, "name") != device) continue;
          add_edits(d["containerEdits"], out);
          found = true;
          break;
        }
      }
    }
    if (!found) {
      std::string where;
      for (const auto& d : dirs) where += (where.empty() ? "" : ", ") + d;
      throw Error(ErrorCode::GpuUnavailable, "no CDI spec in " + where + " names the device " + name,
                  "write one for this host's GPUs: sudo dlcontainer gpus --cdi --output /etc/cdi/nvidia.yaml");
    }
    if (std::find(used_kinds.begin(), used_kinds.end(), kind) == used_kinds.end()) {
      used_kinds.push_back(kind);
      add_edits(it->second.doc["containerEdits"], out);  // a spec's own edits apply once
      out.spec_files.push_back(it->second.file);
    }
  }
  return out;
}

AttachEnvironment discover_for_podman(const HostFacts& facts, std::optional<engine::SystemInfo> info,
                                      const DiscoveryOptions& options) {
  if (!info) info = engine::SystemInfo{};
  if (info->cdi_spec_dirs.empty()) info->cdi_spec_dirs = {"/etc/cdi", "/var/run/cdi"};
  auto env = discover(facts, info, options);
  if (env.engine_nvidia_runtime || !env.toolkit_hook.empty()) {
    env.driver.notes.push_back("the NVIDIA container toolkit is not used: Podman's compatible API ignores GPU device "
                               "requests (--gpus); CDI names or the direct method instead");
  }
  env.engine_nvidia_runtime = false;
  env.toolkit_hook.clear();
  return env;
}

void apply_cdi_edits(const CdiEdits& edits, engine::ContainerSpec& spec) {
  for (const auto& d : edits.devices) {
    bool have = std::any_of(spec.devices.begin(), spec.devices.end(), [&](const auto& x) { return x.path_in_container == d.path_in_container; });
    if (!have) spec.devices.push_back(d);
  }
  for (const auto& m : edits.mounts) {
    bool have = std::any_of(spec.mounts.begin(), spec.mounts.end(), [&](const auto& x) { return x.target == m.target; });
    if (!have) spec.mounts.push_back(m);
  }
  for (const auto& e : edits.env) {
    auto key = e.substr(0, e.find('=') + 1);
    auto it = std::find_if(spec.env.begin(), spec.env.end(), [&](const auto& x) { return x.starts_with(key); });
    if (it != spec.env.end()) *it = e;  // CDI's edits set the variable, as the engine's would
    else spec.env.push_back(e);
  }
}

}  // namespace dlc::gpu
