#include "core/features_gpu.h"

#include <algorithm>

#include "resolve/catalog.h"
#include "support/error.h"

namespace dlc::core {

namespace {

std::string env_of(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& kv : env)
    if (kv.starts_with(name + "=")) return kv.substr(name.size() + 1);
  return {};
}

std::string option_of(const InstalledFeature& f, const std::string& env_name) {
  for (const auto& [k, v] : f.env)
    if (k == env_name) return v;
  return {};
}

}  // namespace

void apply_gpu_knowledge(FeatureSet& set, const engine::ImageInfo& base, const std::function<gpu::HostFacts()>& read_host) {
  auto is_cuda = [](const InstalledFeature& f) {
    return f.source.kind == config::FeatureSource::Kind::Oci && f.source.ref.resource() == kNvidiaCudaFeature;
  };
  auto it = std::find_if(set.features.begin(), set.features.end(), is_cuda);
  if (it == set.features.end()) return;
  std::string wanted = option_of(*it, "CUDAVERSION");
  std::string base_cuda = env_of(base.env, "CUDA_VERSION");
  if (!base_cuda.empty()) {
    set.notes.push_back("the base image already brings CUDA " + base_cuda + ": the nvidia-cuda Feature" +
                        (wanted.empty() ? "" : " (CUDA " + wanted + ")") + " is not installed a second time");
    set.features.erase(it);
    return;
  }
  if (wanted.empty()) return;
  gpu::HostFacts host = read_host();
  if (!host.driver_present || host.driver_version.empty()) {
    set.notes.push_back("no NVIDIA driver on this host (" + (host.why_none.empty() ? std::string("none found") : host.why_none) +
                        "): the nvidia-cuda Feature's CUDA " + wanted + " is installed but cannot run here");
    return;
  }
  auto catalog = resolve::Catalog::builtin();
  auto needed = catalog.min_driver(wanted);
  if (!needed) {
    set.notes.push_back("CUDA " + wanted + " of the nvidia-cuda Feature is not in dlcontainer's catalog; its driver need is not checked");
    return;
  }
  if (resolve::compare_driver(host.driver_version, *needed) < 0) {
    std::string limit = catalog.max_cuda(host.driver_version);
    throw Error(ErrorCode::DriverTooOld,
                "the nvidia-cuda Feature installs CUDA " + wanted + ", which needs NVIDIA driver " + *needed + " or newer; this host's driver " +
                    host.driver_version + " runs CUDA " + (limit.empty() ? std::string("of no listed release") : "up to " + limit),
                (limit.empty() ? std::string("update the driver") : "set the Feature's \"cudaVersion\" to " + limit + " or older") +
                    ", or update the host's driver to " + *needed + " or newer");
  }
}

}  // namespace dlc::core
