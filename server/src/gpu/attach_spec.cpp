// The edit to a container's spec that attaches its GPUs, one function per method: the engine's device
// requests (toolkit), CDI names (cdi), or device nodes, read-only mounts of the driver's files and the
// loader's path (direct); and /dev/shm for any GPU container.
#include <algorithm>
#include <filesystem>
#include <optional>

#include "gpu/attach.h"
#include "gpu/strings.h"

namespace dlc::gpu {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;

std::optional<std::string> env_lookup(const std::vector<std::string>& env, const std::string& key) {
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    if (it->size() > key.size() && it->compare(0, key.size(), key) == 0 && (*it)[key.size()] == '=') {
      return it->substr(key.size() + 1);
    }
  }
  return std::nullopt;
}

void env_set(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  std::erase_if(env, [&](const std::string& kv) { return kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '='; });
  env.push_back(key + "=" + value);
}

// A folder list with `first` ahead of what was there, each once.
std::string prepend_dirs(const std::vector<std::string>& first, const std::string& existing) {
  std::vector<std::string> out;
  for (const auto& d : first) {
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  for (const auto& d : split(existing, ':')) {
    if (!d.empty() && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return join(out, ":");
}

void apply_toolkit(const Attachment& a, engine::ContainerSpec& spec) {
  engine::DeviceRequest r;
  r.driver = "nvidia";
  r.count = a.engine_ids.empty() ? -1 : 0;
  r.device_ids = a.engine_ids;
  r.capabilities = {"gpu"};
  spec.device_requests.push_back(std::move(r));
}

void apply_cdi(const Attachment& a, engine::ContainerSpec& spec) {
  engine::DeviceRequest r;
  r.driver = "cdi";  // the engine ignores capabilities for CDI; it reads the names
  r.count = 0;
  r.device_ids = a.engine_ids;
  r.capabilities = {};
  spec.device_requests.push_back(std::move(r));
}

void apply_direct(const Attachment& a, const AttachEnvironment& env, engine::ContainerSpec& spec,
                  const std::vector<std::string>& image_env) {
  auto add_device = [&](const std::string& path) {
    for (const auto& d : spec.devices) {
      if (d.path_in_container == path) return;
    }
    spec.devices.push_back(engine::DeviceMapping{.path_on_host = path, .path_in_container = path, .permissions = "rwm"});
  };
  for (const auto& n : env.driver.control_nodes) add_device(n);
  for (const auto& n : a.engine_ids) add_device(n);
  std::vector<std::string> lib_dirs, bin_dirs;
  auto mount = [&](const std::string& path) {
    for (const auto& m : spec.mounts) {
      if (m.target == path) return;
    }
    spec.mounts.push_back(engine::Mount{.type = "bind", .source = path, .target = path, .read_only = true});
  };
  for (const auto& lib : env.driver.libraries) {
    mount(lib);
    std::string dir = fs::path(lib).parent_path().string();
    if (std::find(lib_dirs.begin(), lib_dirs.end(), dir) == lib_dirs.end()) lib_dirs.push_back(dir);
  }
  for (const auto& bin : env.driver.binaries) {
    mount(bin);
    std::string dir = fs::path(bin).parent_path().string();
    if (std::find(bin_dirs.begin(), bin_dirs.end(), dir) == bin_dirs.end()) bin_dirs.push_back(dir);
  }
  // The image's loader cache does not know these files: tell the loader where they are, ahead
  // of whatever the workspace or the image already sets.
  auto ld = env_lookup(spec.env, "LD_LIBRARY_PATH");
  if (!ld) ld = env_lookup(image_env, "LD_LIBRARY_PATH");
  env_set(spec.env, "LD_LIBRARY_PATH", prepend_dirs(lib_dirs, ld.value_or("")));
  // Triton (torch.compile) looks for libcuda through `ldconfig -p` unless told.
  for (const auto& lib : env.driver.libraries) {
    if (fs::path(lib).filename() == "libcuda.so.1") env_set(spec.env, "TRITON_LIBCUDA_PATH", fs::path(lib).parent_path().string());
  }
  auto path = env_lookup(spec.env, "PATH");
  if (!path) path = env_lookup(image_env, "PATH");
  std::string current = path.value_or(kDefaultPath);
  auto dirs = split(current, ':');
  bool changed = false;
  for (const auto& d : bin_dirs) {
    if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d), changed = true;
  }
  if (changed) env_set(spec.env, "PATH", join(dirs, ":"));
}

}  // namespace

std::int64_t default_shm_size(std::int64_t host_memory) {
  return std::max<std::int64_t>(kGiB, host_memory / 2);
}

void apply_attachment(const Attachment& a, const AttachEnvironment& env, engine::ContainerSpec& spec,
                      const std::vector<std::string>& image_env, std::int64_t host_memory) {
  if (!a.attached()) return;
  switch (a.method) {
    case Method::Toolkit: apply_toolkit(a, spec); break;
    case Method::Cdi: apply_cdi(a, spec); break;
    case Method::Direct: apply_direct(a, env, spec, image_env); break;
    case Method::None: break;
  }
  // DataLoader workers share batches through /dev/shm; runArgs --ipc or --shm-size override this.
  if (spec.ipc_mode.empty() && spec.shm_size == 0) spec.shm_size = default_shm_size(host_memory);
}

}  // namespace dlc::gpu
