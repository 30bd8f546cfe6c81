#include "gpu/discovery.h"
#include "support/files.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <set>
#include <sstream>


namespace dlc::gpu {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// ld.so.cache flags (glibc's ldconfig.h): the ELF type and the architecture of an entry.
constexpr std::int32_t kFlagTypeMask = 0x00ff;
constexpr std::int32_t kFlagElfLibc6 = 0x0003;
constexpr std::int32_t kFlagArchMask = 0xff00;
#if defined(__x86_64__)
constexpr std::int32_t kFlagThisArch = 0x0300;  // FLAG_X8664_LIB64
#elif defined(__aarch64__)
constexpr std::int32_t kFlagThisArch = 0x0a00;  // FLAG_AARCH64_LIB64
#elif defined(__powerpc64__)
constexpr std::int32_t kFlagThisArch = 0x0500;  // FLAG_POWERPC_LIB64
#else
constexpr std::int32_t kFlagThisArch = -1;  // unknown: keep every libc6 entry
#endif

constexpr std::string_view kNewMagic = "glibc-ld.so.cache1.1";

template <class T>
bool read_at(const std::string& data, std::size_t at, T& out) {
  if (at + sizeof(T) > data.size()) return false;
  std::memcpy(&out, data.data() + at, sizeof(T));
  return true;
}

std::string read_text(const fs::path& p) { return read_file(p.string()).value_or(""); }

// Driver libraries by base name (the part before ".so"): the compute and utility libraries that
// the toolkit mounts for `--gpus` (capabilities compute,utility), not graphics or video.
constexpr const char* kDriverLibraries[] = {
    "cuda",                    "cudadebugger",     "nvidia-ml",     "nvidia-ptxjitcompiler", "nvidia-nvvm",
    "nvidia-cfg",              "nvidia-opencl",    "nvidia-allocator", "nvidia-gpucomp",     "nvidia-fatbinaryloader",
    "nvidia-compiler",         "nvidia-pkcs11",    "nvidia-pkcs11-openssl3",
};

constexpr const char* kDriverPrograms[] = {"nvidia-smi", "nvidia-debugdump"};

fs::path under(const fs::path& root, const std::string& host_path) {
  return root / fs::path(host_path).relative_path();
}

// Follows a symbolic link chain inside root (absolute targets are taken relative to root), returning
// the final host path; "" when it dangles.
std::string resolve_in_root(const fs::path& root, std::string host_path) {
  for (int hop = 0; hop < 16; ++hop) {
    std::error_code ec;
    fs::path p = under(root, host_path);
    auto st = fs::symlink_status(p, ec);
    if (ec || !fs::exists(st)) return {};
    if (!fs::is_symlink(st)) return host_path;
    fs::path target = fs::read_symlink(p, ec);
    if (ec) return {};
    host_path = target.is_absolute() ? target.lexically_normal().string()
                                     : (fs::path(host_path).parent_path() / target).lexically_normal().string();
  }
  return {};
}

// "libcuda.so.580.65.06" -> "580.65.06"; "" when the suffix is not a driver version (".so.1").
std::string driver_suffix(const std::string& name) {
  auto so = name.find(".so.");
  if (so == std::string::npos) return {};
  std::string v = name.substr(so + 4);
  if (v.find('.') == std::string::npos) return {};  // a soname's single number
  return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// Folders named by /etc/ld.so.conf and what it includes (used only when the cache is missing).
void ld_conf_dirs(const fs::path& root, const fs::path& conf, std::vector<std::string>& out, int depth = 0) {
  if (depth > 4) return;
  std::istringstream in(read_text(under(root, conf.string())));
  for (std::string line; std::getline(in, line);) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string first;
    if (!(words >> first)) continue;
    if (first == "include") {
      std::string pattern;
      while (words >> pattern) {
        fs::path pat = fs::path(pattern).is_absolute() ? fs::path(pattern) : conf.parent_path() / pattern;
        // Only the common "dir/*.conf" form is expanded.
        fs::path dir = pat.parent_path();
        std::string ext = pat.filename().string().rfind("*", 0) == 0 ? pat.filename().string().substr(1) : "";
        std::error_code ec;
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(under(root, dir.string()), ec)) {
          std::string name = e.path().filename().string();
          if (ext.empty() ? name == pat.filename().string() : name.ends_with(ext)) files.push_back((dir / name).string());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) ld_conf_dirs(root, f, out, depth + 1);
      }
    } else if (first.front() == '/') {
      add_unique(out, first);
    }
  }
}

void find_libraries(const HostFacts& facts, const DiscoveryOptions& options, const fs::path& root, DriverFiles& files) {
  // Folders in the order the loader would use them for our libraries.
  std::vector<std::string> dirs;
  if (!facts.library_path.empty()) {
    // The facts came through this library: its folder is the one the host's own programs use.
    std::string p = facts.library_path;
    if (root != "/" && p.starts_with(root.string())) p = "/" + fs::path(p).lexically_relative(root).string();
    add_unique(dirs, fs::path(p).parent_path().string());
  }
  auto lib_dirs = options.library_dirs;
  if (lib_dirs.empty() && options.use_environment) {
    if (const char* ld = std::getenv("LD_LIBRARY_PATH")) lib_dirs = split(ld, ':');
  }
  for (const auto& d : lib_dirs) add_unique(dirs, d);
  auto cache = read_ld_cache(under(root, "/etc/ld.so.cache"));
  for (const auto& e : cache) {
    if (is_driver_library(e.name)) add_unique(dirs, fs::path(e.path).parent_path().string());
  }
  if (cache.empty()) {
    std::vector<std::string> conf;
    ld_conf_dirs(root, "/etc/ld.so.conf", conf);
    for (const auto& d : conf) add_unique(dirs, d);
  }

  std::set<std::string> taken;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(under(root, dir), ec)) {
      std::string name = e.path().filename().string();
      if (is_driver_library(name)) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (taken.count(name)) continue;
      std::string host_path = (fs::path(dir) / name).string();
      std::string real = resolve_in_root(root, host_path);
      if (real.empty()) {
        files.notes.push_back(host_path + " is a dangling link: left out");
        continue;
      }
      // A library left behind by an older driver would not match the kernel module: leave it out.
      std::string version = driver_suffix(fs::path(real).filename().string());
      if (!version.empty() && !facts.driver_version.empty() && version != facts.driver_version) {
        files.notes.push_back(host_path + " belongs to driver " + version + ", not the running " + facts.driver_version +
                              ": left out");
        continue;
      }
      taken.insert(name);
      files.libraries.push_back(host_path);
    }
  }
}

void find_device_nodes(const fs::path& root, DriverFiles& files) {
  static const std::regex gpu_node("nvidia([0-9]+)");
  std::error_code ec;
  std::vector<std::string> control;
  for (const auto& e : fs::directory_iterator(root / "dev", ec)) {
    std::string name = e.path().filename().string();
    std::smatch m;
    if (std::regex_match(name, m, gpu_node)) {
      files.gpu_nodes[std::stoi(m[1].str())] = "/dev/" + name;
    } else if (name == "nvidiactl" || name == "nvidia-uvm" || name == "nvidia-uvm-tools" || name == "nvidia-modeset") {
      control.push_back("/dev/" + name);
    }
  }
  std::sort(control.begin(), control.end());
  files.control_nodes = control;
}

void find_programs(const DiscoveryOptions& options, const fs::path& root, DriverFiles& files) {
  auto dirs = options.path_dirs.empty() ? program_dirs(options.use_environment) : options.path_dirs;
  // Drivers installed outside the system folders keep their programs beside their libraries
  // (lib64/ and bin/ under one prefix, as in /usr/local/nvidia).
  for (const auto& lib : files.libraries) {
    add_unique(dirs, (fs::path(lib).parent_path().parent_path() / "bin").string());
  }
  for (const char* name : kDriverPrograms) {
    // A wrapper script (one at /usr/bin/nvidia-smi that execs /usr/local/nvidia/bin/nvidia-smi, seen on
    // an H200 host) is no program to mount: what it execs is not in the container. The first program
    // that is not a script wins; a script only when there is nothing else.
    std::string found, script;
    for (std::vector<std::string> rest = dirs; !rest.empty();) {
      std::string candidate = find_program(name, rest, root.string());
      if (candidate.empty()) break;
      if (read_file(under(root, candidate).string(), 2).value_or("") != "#!") {
        found = candidate;
        break;
      }
      if (script.empty()) script = candidate;
      auto at = std::find(rest.begin(), rest.end(), fs::path(candidate).parent_path().string());
      if (at == rest.end()) break;
      rest.erase(rest.begin(), at + 1);
    }
    if (found.empty()) found = script;
    if (!found.empty()) files.binaries.push_back(found);
  }
}

void find_toolkit(const DiscoveryOptions& options, const fs::path& root, AttachEnvironment& env) {
  auto dirs = options.path_dirs.empty() ? program_dirs(options.use_environment) : options.path_dirs;
  env.toolkit_hook = find_program("nvidia-container-runtime-hook", dirs, root.string());
  env.toolkit_cli = find_program("nvidia-container-cli", dirs, root.string());
  env.toolkit_ctk = find_program("nvidia-ctk", dirs, root.string());
  const std::string config = "/etc/nvidia-container-runtime/config.toml";
  std::string text = read_text(under(root, config));
  if (text.empty()) return;
  env.toolkit_config = config;
  static const std::regex ldconfig_line(R"re(^\s*ldconfig\s*=\s*"([^"]*)")re");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, ldconfig_line)) {
      env.toolkit_ldconfig = m[1].str();
      break;
    }
  }
  // "@/sbin/ldconfig.real": a program on the host (the '@'), which Debian, Fedora and Arch do not have.
  if (env.toolkit_ldconfig.starts_with("@")) {
    std::error_code ec;
    env.toolkit_ldconfig_missing = !fs::exists(under(root, env.toolkit_ldconfig.substr(1)), ec);
  }
}

void find_cdi(const fs::path& root, AttachEnvironment& env) {
  if (env.cdi_spec_dirs.empty()) env.cdi_spec_dirs = {"/etc/cdi", "/var/run/cdi"};
  for (const auto& dir : env.cdi_spec_dirs) {
    std::error_code ec;
    std::vector<fs::path> specs;
    for (const auto& e : fs::directory_iterator(under(root, dir), ec)) {
      auto ext = e.path().extension().string();
      if (ext == ".yaml" || ext == ".yml" || ext == ".json") specs.push_back(e.path());
    }
    std::sort(specs.begin(), specs.end());
    for (const auto& spec : specs) {
      try {
        YAML::Node doc = YAML::LoadFile(spec.string());  // JSON is YAML too
        std::string kind = doc["kind"] ? doc["kind"].as<std::string>() : "";
        if (!kind.starts_with("nvidia.com/")) continue;
        env.cdi_spec_files.push_back((fs::path(dir) / spec.filename()).string());
        if (auto devices = doc["devices"]; devices && devices.IsSequence()) {
          for (const auto& d : devices) {
            if (d["name"]) add_unique(env.cdi_devices, kind + "=" + d["name"].as<std::string>());
          }
        }
      } catch (const YAML::Exception& e) {
        env.notes.push_back("the CDI spec " + (fs::path(dir) / spec.filename()).string() + " cannot be read: " + e.what());
      }
    }
  }
}

}  // namespace

std::vector<LdCacheEntry> read_ld_cache(const fs::path& file) {
  std::vector<LdCacheEntry> out;
  std::string data = read_text(file);
  auto base = data.find(kNewMagic);
  if (base == std::string::npos) return out;
  // Header: magic+version (20), nlibs, len_strings, flags(1)+pad(3), extension_offset, unused[3].
  std::uint32_t nlibs = 0;
  if (!read_at(data, base + 20, nlibs)) return out;
  const std::size_t entries = base + 48;
  constexpr std::size_t kEntrySize = 24;  // flags, key, value, osversion, hwcap(8)
  auto string_at = [&](std::uint32_t offset) -> std::string {
    std::size_t at = base + offset;  // offsets count from the new format's header
    if (at >= data.size()) return {};
    auto end = data.find('\0', at);
    if (end == std::string::npos) return {};
    return data.substr(at, end - at);
  };
  for (std::uint32_t i = 0; i < nlibs; ++i) {
    std::int32_t flags = 0;
    std::uint32_t key = 0, value = 0;
    std::size_t at = entries + i * kEntrySize;
    if (!read_at(data, at, flags) || !read_at(data, at + 4, key) || !read_at(data, at + 8, value)) break;
    if ((flags & kFlagTypeMask) != kFlagElfLibc6) continue;
    if (kFlagThisArch != -1 && (flags & kFlagArchMask) != kFlagThisArch) continue;
    LdCacheEntry e{string_at(key), string_at(value)};
    if (!e.name.empty() && !e.path.empty()) out.push_back(std::move(e));
  }
  return out;
}

bool is_driver_library(std::string_view name) {
  if (!name.starts_with("lib")) return false;
  auto so = name.find(".so");
  if (so == std::string_view::npos) return false;
  std::string_view rest = name.substr(so + 3);
  if (!rest.empty() && rest.front() != '.') return false;  // "libcuda.sox"
  std::string_view base = name.substr(3, so - 3);
  for (const char* lib : kDriverLibraries) {
    if (base == lib) return true;
  }
  return false;
}

std::vector<std::string> program_dirs(bool use_environment) {
  std::vector<std::string> dirs;
  if (use_environment) {
    if (const char* path = std::getenv("PATH")) dirs = split(path, ':');
  }
  // Daemons and sudo see these even when this user's PATH does not.
  for (const char* d : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) add_unique(dirs, d);
  return dirs;
}

std::string find_program(const std::string& name, const std::vector<std::string>& dirs, const std::string& root) {
  fs::path r = root.empty() ? fs::path("/") : fs::path(root);
  for (const auto& dir : dirs) {
    if (dir.empty() || dir.front() != '/') continue;
    std::string host_path = (fs::path(dir) / name).string();
    std::error_code ec;
    auto st = fs::status(under(r, host_path), ec);
    if (!ec && fs::is_regular_file(st) && (st.permissions() & fs::perms::owner_exec) != fs::perms::none) return host_path;
  }
  return {};
}

AttachEnvironment discover(const HostFacts& facts, const std::optional<engine::SystemInfo>& engine,
                           const DiscoveryOptions& options) {
  AttachEnvironment env;
  const fs::path root = options.root.empty() ? fs::path("/") : fs::path(options.root);
  if (engine) {
    apply_engine_info(env, *engine);
    env.cdi_spec_dirs = engine->cdi_spec_dirs;
  }
  find_device_nodes(root, env.driver);
  find_libraries(facts, options, root, env.driver);
  find_programs(options, root, env.driver);
  find_toolkit(options, root, env);
  find_cdi(root, env);
  return env;
}

void to_json(json& j, const DriverFiles& f) {
  json nodes = json::array();
  for (const auto& [minor, path] : f.gpu_nodes) nodes.push_back(path);
  j = {{"controlNodes", f.control_nodes}, {"gpuNodes", nodes}, {"libraries", f.libraries},
       {"binaries", f.binaries},          {"notes", f.notes}};
}

namespace {

template <class T>
void take(const json& j, const char* key, T& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) it->get_to(out);
}

}  // namespace

void from_json(const json& j, DriverFiles& f) {
  take(j, "controlNodes", f.control_nodes);
  std::vector<std::string> nodes;
  take(j, "gpuNodes", nodes);
  static const std::regex gpu_node("/dev/nvidia([0-9]+)");
  for (const auto& n : nodes) {
    std::smatch m;
    if (std::regex_match(n, m, gpu_node)) f.gpu_nodes[std::stoi(m[1].str())] = n;
  }
  take(j, "libraries", f.libraries);
  take(j, "binaries", f.binaries);
  take(j, "notes", f.notes);
}

void from_json(const json& j, AttachEnvironment& e) {
  take(j, "driverFiles", e.driver);
  if (auto t = j.find("toolkit"); t != j.end() && t->is_object()) {
    take(*t, "hook", e.toolkit_hook);
    take(*t, "cli", e.toolkit_cli);
    take(*t, "ctk", e.toolkit_ctk);
    take(*t, "config", e.toolkit_config);
    take(*t, "ldconfig", e.toolkit_ldconfig);
    take(*t, "ldconfigMissing", e.toolkit_ldconfig_missing);
  }
  if (auto en = j.find("engine"); en != j.end() && en->is_object()) {
    take(*en, "known", e.engine_known);
    take(*en, "runtimes", e.engine_runtimes);
    take(*en, "nvidiaRuntime", e.engine_nvidia_runtime);
    take(*en, "cdi", e.engine_cdi);
  }
  if (auto c = j.find("cdi"); c != j.end() && c->is_object()) {
    take(*c, "specDirs", e.cdi_spec_dirs);
    take(*c, "specFiles", e.cdi_spec_files);
    take(*c, "devices", e.cdi_devices);
  }
  take(j, "notes", e.notes);
}

void apply_engine_info(AttachEnvironment& env, const engine::SystemInfo& engine) {
  env.engine_known = true;
  env.engine_runtimes = engine.runtimes;
  env.engine_nvidia_runtime = std::find(engine.runtimes.begin(), engine.runtimes.end(), "nvidia") != engine.runtimes.end();
  env.engine_cdi = !engine.cdi_spec_dirs.empty();
}

void to_json(json& j, const AttachEnvironment& e) {
  j = {{"driverFiles", e.driver},
       {"toolkit",
        {{"hook", e.toolkit_hook},
         {"cli", e.toolkit_cli},
         {"ctk", e.toolkit_ctk},
         {"config", e.toolkit_config},
         {"ldconfig", e.toolkit_ldconfig},
         {"ldconfigMissing", e.toolkit_ldconfig_missing}}},
       {"engine",
        {{"known", e.engine_known}, {"runtimes", e.engine_runtimes}, {"nvidiaRuntime", e.engine_nvidia_runtime}, {"cdi", e.engine_cdi}}},
       {"cdi", {{"specDirs", e.cdi_spec_dirs}, {"specFiles", e.cdi_spec_files}, {"devices", e.cdi_devices}}},
       {"notes", e.notes}};
}

}  // namespace dlc::gpu
