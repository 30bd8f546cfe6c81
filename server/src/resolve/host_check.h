// The host as the resolver sees it, and whether its driver runs a CUDA toolkit (natively, or only
// through CUDA minor-version compatibility).
#pragma once

#include <string>
#include <vector>

#include "gpu/host_facts.h"
#include "resolve/catalog.h"

namespace dlc::resolve {

// A GPU whose compute capability is known (read through NVML, or given with --gpu-arch).
struct GpuArch {
  std::string name;
  int major = 0, minor = 0;
  std::string sm() const { return "sm_" + std::to_string(major) + std::to_string(minor); }
};

struct HostView {
  enum class Kind { Unknown, NoGpu, Driver } kind = Kind::Unknown;
  std::string driver;
  std::string max_cuda;  // natively
  std::string words;
  std::vector<GpuArch> gpus;  // distinct compute capabilities; empty when unknown
};

HostView view_host(const gpu::HostFacts& h, const Catalog& c);

struct CudaCheck {
  bool ok = false;
  bool compat = false;      // only through minor-version compatibility
  std::string min_driver;   // native minimum ("" when the catalog has none)
  std::string compat_driver;
  std::string why;          // when !ok
};

CudaCheck check_cuda(const std::string& cuda, const HostView& host, const Catalog& c);

}  // namespace dlc::resolve
