#include "gpu/cdi.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "support/error.h"
#include "support/files.h"

namespace dlc::gpu {

using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxSpecBytes = 4u << 20;
constexpr std::size_t kMaxSpecEntries = 10000;  // devices, nodes or mounts walked in one spec

json node(const std::string& path) { return json{{"path", path}}; }

json mount(const std::string& path) {
  // The host's path in the container too, as nvidia-ctk does, so a host-like /usr still lines up.
  return json{{"hostPath", path}, {"containerPath", path}, {"options", {"ro", "nosuid", "nodev", "bind"}}};
}

std::string gpu_node(const GpuDevice& g, const DriverFiles& files) {
  auto it = files.gpu_nodes.find(g.minor >= 0 ? g.minor : g.index);
  return it == files.gpu_nodes.end() ? "" : it->second;
}

// "libcuda.so.580.65.06" -> "580.65.06"; "" for a soname or linker name (libcuda.so.1, libcuda.so).
std::string library_driver_version(const std::string& file_name) {
  for (const char* base : {"libcuda.so.", "libnvidia-ml.so."}) {
    if (!file_name.starts_with(base)) continue;
    std::string rest = file_name.substr(std::string_view(base).size());
    if (rest.find('.') != std::string::npos) return rest;
  }
  return "";
}

bool valid_device_name(const std::string& name) {
  static const std::regex re("[A-Za-z0-9][A-Za-z0-9_.:-]*");
  return std::regex_match(name, re);
}

bool valid_kind(const std::string& kind) {
  static const std::regex re(R"([a-z0-9]([a-z0-9.-]*[a-z0-9])?/[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?)");
  return kind.size() <= 253 + 64 && std::regex_match(kind, re);
}

void edits_problems(const json& edits, const std::string& where, std::vector<std::string>& out) {
  if (!edits.is_object()) {
    out.push_back(where + ": containerEdits is not an object");
    return;
  }
  auto paths = [&](const char* field, const char* key) {
    auto it = edits.find(field);
    if (it == edits.end()) return;
    if (!it->is_array() || it->size() > kMaxSpecEntries) {
      out.push_back(where + ": " + field + " is not a list");
      return;
    }
    for (const auto& e : *it) {
      auto p = e.is_object() ? e.value(key, std::string()) : std::string();
      if (!p.starts_with("/")) out.push_back(where + ": an entry of " + field + " has no absolute " + key);
    }
  };
  paths("deviceNodes", "path");
  paths("mounts", "hostPath");
  paths("mounts", "containerPath");
  paths("hooks", "path");
  if (auto env = edits.find("env"); env != edits.end()) {
    if (!env->is_array()) out.push_back(where + ": env is not a list");
    else for (const auto& e : *env) if (!e.is_string() || e.get<std::string>().find('=') == std::string::npos) out.push_back(where + ": env entries are NAME=value");
  }
}

// The host paths a spec exposes (device nodes and mount sources), for the staleness check. Walked
// from YAML because a spec on disk may be either form (JSON is YAML).
void spec_paths(const YAML::Node& edits, std::vector<std::string>& out) {
  if (!edits || !edits.IsMap()) return;
  for (const auto& [field, key] : {std::pair{"deviceNodes", "path"}, std::pair{"mounts", "hostPath"}}) {
    const YAML::Node list = edits[field];
    if (!list || !list.IsSequence()) continue;
    for (const auto& e : list) {
      if (out.size() >= kMaxSpecEntries) return;
      if (!e.IsMap()) continue;
      // A device node may name its host path apart from its path in the container.
      const YAML::Node p = e["hostPath"] ? e["hostPath"] : e[key];
      if (p && p.IsScalar()) out.push_back(p.as<std::string>());
    }
  }
}

}  // namespace

json make_cdi_spec(const HostFacts& facts, const DriverFiles& files) {
  if (!facts.driver_present || facts.gpus.empty()) {
    throw Error(ErrorCode::GpuUnavailable,
                "no CDI spec can be written: " + (facts.why_none.empty() ? std::string("this host has no NVIDIA GPU") : facts.why_none),
                "run `dlcontainer doctor` on the GPU host to see what is missing");
  }
  json devices = json::array();
  json all_nodes = json::array();
  for (const auto& g : facts.gpus) {
    std::string path = gpu_node(g, files);
    if (path.empty()) continue;  // reported below when no GPU has a node
    json edits = {{"deviceNodes", {node(path)}}};
    devices.push_back({{"name", std::to_string(g.index)}, {"containerEdits", edits}});
    if (!g.uuid.empty() && valid_device_name(g.uuid)) devices.push_back({{"name", g.uuid}, {"containerEdits", edits}});
    all_nodes.push_back(node(path));
  }
  if (all_nodes.empty()) {
    throw Error(ErrorCode::GpuUnavailable, "no CDI spec can be written: the driver reports GPUs but no /dev/nvidiaN node exists",
                "load the driver's device nodes (sudo nvidia-modprobe, or run nvidia-smi once as root), then try again");
  }
  devices.push_back({{"name", "all"}, {"containerEdits", {{"deviceNodes", all_nodes}}}});

  json common = {{"env", {"NVIDIA_VISIBLE_DEVICES=void"}}};  // keeps a toolkit hook from injecting twice
  common["deviceNodes"] = json::array();
  for (const auto& n : files.control_nodes) common["deviceNodes"].push_back(node(n));
  common["mounts"] = json::array();
  for (const auto& lib : files.libraries) common["mounts"].push_back(mount(lib));
  for (const auto& bin : files.binaries) common["mounts"].push_back(mount(bin));
  return json{{"cdiVersion", kCdiVersion}, {"kind", kCdiKind}, {"devices", devices}, {"containerEdits", common}};
}

std::string cdi_spec_text(const json& spec, const HostFacts& facts) {
  return std::string(kCdiHeader) + " for NVIDIA driver " + facts.driver_version +
         ". Rewrite it after a driver upgrade (dlcontainer doctor notices).\n" + spec.dump(2) + "\n";
}

std::vector<std::string> cdi_spec_problems(const json& spec) {
  std::vector<std::string> out;
  if (!spec.is_object()) return {"the spec is not an object"};
  static const std::regex semver(R"(\d+\.\d+\.\d+)");
  auto version = spec.value("cdiVersion", std::string());
  if (!std::regex_match(version, semver)) out.push_back("cdiVersion is missing or not a version (x.y.z)");
  if (!valid_kind(spec.value("kind", std::string()))) out.push_back("kind is missing or not vendor.com/class");
  auto devices = spec.find("devices");
  if (devices == spec.end() || !devices->is_array() || devices->empty()) {
    out.push_back("devices is missing or empty (CDI requires at least one)");
  } else if (devices->size() > kMaxSpecEntries) {
    out.push_back("devices has too many entries");
  } else {
    for (const auto& d : *devices) {
      auto name = d.is_object() ? d.value("name", std::string()) : std::string();
      if (!valid_device_name(name)) out.push_back("a device's name is missing or invalid: \"" + name + "\"");
      if (!d.is_object() || !d.contains("containerEdits")) out.push_back("device " + name + " has no containerEdits");
      else edits_problems(d["containerEdits"], "device " + name, out);
    }
  }
  if (spec.contains("containerEdits")) edits_problems(spec["containerEdits"], "the spec", out);
  return out;
}

void to_json(json& j, const CdiSpecCheck& c) {
  j = json{{"file", c.file}, {"ours", c.ours}, {"driverVersion", c.driver_version}, {"missing", c.missing},
           {"stale", c.stale}, {"reason", c.reason}};
}

std::vector<CdiSpecCheck> check_cdi_specs(const std::vector<std::string>& files, const std::string& running_driver,
                                          const std::string& root) {
  std::vector<CdiSpecCheck> out;
  const fs::path base = root.empty() ? fs::path("/") : fs::path(root);
  for (const auto& file : files) {
    CdiSpecCheck c;
    c.file = file;
    const fs::path on_disk = base / fs::path(file).relative_path();
    std::error_code ec;
    auto size = fs::file_size(on_disk, ec);
    auto text = !ec && size <= kMaxSpecBytes ? read_file(on_disk.string()) : std::nullopt;
    if (!text) {
      c.stale = true;
      c.reason = ec ? "it cannot be read" : "it is larger than 4 MiB";
      out.push_back(c);
      continue;
    }
    c.ours = text->starts_with(kCdiHeader);
    std::vector<std::string> paths;
    try {
      YAML::Node doc = YAML::Load(*text);
      spec_paths(doc["containerEdits"], paths);
      if (auto devices = doc["devices"]; devices && devices.IsSequence()) {
        for (const auto& d : devices) spec_paths(d["containerEdits"], paths);
      }
    } catch (const YAML::Exception& e) {
      c.stale = true;
      c.reason = std::string("it does not parse: ") + e.what();
      out.push_back(c);
      continue;
    }
    for (const auto& p : paths) {
      auto version = library_driver_version(fs::path(p).filename().string());
      if (!version.empty() && c.driver_version.empty()) c.driver_version = version;
      if (!fs::exists(base / fs::path(p).relative_path(), ec) && std::find(c.missing.begin(), c.missing.end(), p) == c.missing.end()) {
        c.missing.push_back(p);
      }
    }
    if (!c.driver_version.empty() && !running_driver.empty() && c.driver_version != running_driver) {
      c.stale = true;
      c.reason = "it was written for driver " + c.driver_version + ", and driver " + running_driver + " runs now";
    } else if (!c.missing.empty()) {
      c.stale = true;
      c.reason = std::to_string(c.missing.size()) + " of the files it names are gone (" + c.missing.front() + ")";
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace dlc::gpu
