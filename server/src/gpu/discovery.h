// What the host offers for putting GPUs into a container: the NVIDIA container toolkit, CDI specs,
// and the files the direct method mounts (device nodes, the driver's user-space libraries,
// nvidia-smi). Everything is found on the host, never taken from a fixed list of paths.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "gpu/host_facts.h"

namespace dlc::gpu {

// One entry of the loader's cache: a library's name and where it lives.
struct LdCacheEntry {
  std::string name;  // libcuda.so.1
  std::string path;  // /usr/lib/x86_64-linux-gnu/libcuda.so.1
};

// Parses glibc's /etc/ld.so.cache (the "glibc-ld.so.cache1.1" format, alone or after the old one),
// keeping the entries for this machine's architecture. Empty when missing or unreadable.
std::vector<LdCacheEntry> read_ld_cache(const std::filesystem::path& file);

// Whether a file name is one of the driver's compute/utility libraries (libcuda.so.1,
// libnvidia-ml.so.580.65.06, libnvidia-ptxjitcompiler.so.1, ...), by the names the driver gives them.
bool is_driver_library(std::string_view file_name);

// The driver's files as the direct method mounts them. Paths are host paths, and the same paths in the
// container (as the toolkit and CDI do), so a container whose /usr is the host's still works.
struct DriverFiles {
  std::vector<std::string> control_nodes;  // /dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia-uvm-tools, ...
  std::map<int, std::string> gpu_nodes;    // minor number -> /dev/nvidiaN
  std::vector<std::string> libraries;      // one per file name, in the folder the loader would use
  std::vector<std::string> binaries;       // nvidia-smi, nvidia-debugdump
  std::vector<std::string> notes;          // what was left out, and why
};

struct AttachEnvironment {
  DriverFiles driver;
  // The NVIDIA container toolkit. Docker's own GPU support (--gpus, DeviceRequests) runs its hook.
  std::string toolkit_hook;    // nvidia-container-runtime-hook, "" when absent
  std::string toolkit_cli;     // nvidia-container-cli
  std::string toolkit_ctk;     // nvidia-ctk
  std::string toolkit_config;  // /etc/nvidia-container-runtime/config.toml when present
  std::string toolkit_ldconfig;           // its ldconfig setting, "@/sbin/ldconfig.real"
  bool toolkit_ldconfig_missing = false;  // that program is not on the host: the "ldcache error"
  // The engine, when it could be asked.
  bool engine_known = false;
  std::vector<std::string> engine_runtimes;
  bool engine_nvidia_runtime = false;
  bool engine_cdi = false;  // the engine resolves CDI device names (Docker 25+ with CDI enabled)
  // CDI specs.
  std::vector<std::string> cdi_spec_dirs;
  std::vector<std::string> cdi_spec_files;
  std::vector<std::string> cdi_devices;  // fully qualified: nvidia.com/gpu=all, nvidia.com/gpu=0, ...
  std::vector<std::string> notes;        // what was skipped and why (a CDI spec that cannot be read)
};

void to_json(nlohmann::json& j, const DriverFiles& f);
void from_json(const nlohmann::json& j, DriverFiles& f);
void to_json(nlohmann::json& j, const AttachEnvironment& e);
void from_json(const nlohmann::json& j, AttachEnvironment& e);

// What the engine says of itself, in the environment: its runtimes (nvidia?) and whether it resolves
// CDI names. discover() does this when given the engine's info; a probe on a remote engine's host
// finds the files there, and this adds what that engine says.
void apply_engine_info(AttachEnvironment& env, const engine::SystemInfo& engine);

struct DiscoveryOptions {
  // Tests point this at a fake tree. Paths found are reported without it (as the host sees them).
  std::string root = "/";
  // Where programs are looked for; empty: $PATH, then /usr/local/sbin, /usr/local/bin, /usr/sbin, ...
  std::vector<std::string> path_dirs;
  // Library folders searched before the loader's cache; empty: $LD_LIBRARY_PATH.
  std::vector<std::string> library_dirs;
  bool use_environment = true;  // read PATH and LD_LIBRARY_PATH when the lists above are empty
};

AttachEnvironment discover(const HostFacts& facts, const std::optional<engine::SystemInfo>& engine,
                           const DiscoveryOptions& options = {});

// Finds a program by name in the given folders (under root); "" when absent. The path is the host's.
std::string find_program(const std::string& name, const std::vector<std::string>& dirs, const std::string& root = "/");

// The folders where programs are looked for: $PATH and the system's usual bin folders.
std::vector<std::string> program_dirs(bool use_environment = true);

}  // namespace dlc::gpu
