// What the host offers for GPU work: the NVIDIA driver, the CUDA it supports, and its GPUs.
// Read with NVML (or the driver API) loaded at run time, so the binary runs where there is no GPU.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dlc::gpu {

struct GpuDevice {
  int index = 0;
  std::string name;          // "NVIDIA H100 80GB HBM3"
  std::string uuid;          // "GPU-..."
  std::int64_t memory_total = 0;  // bytes
  int compute_major = 0;     // compute capability, 9.0 for Hopper
  int compute_minor = 0;
  std::string pci_bus_id;
};

struct HostFacts {
  bool driver_present = false;
  std::string driver_version;  // "580.65.06"; "" when no driver
  std::string cuda_version;    // the highest CUDA the driver supports, "13.0"; "" when no driver
  std::vector<GpuDevice> gpus;
  std::string source;          // where the facts came from: "nvml", "cuda", "none", or "given" (--driver)
  std::string why_none;        // when there is no usable GPU: why, in words ("libnvidia-ml.so.1 not found")
};

void to_json(nlohmann::json& j, const GpuDevice& d);
void from_json(const nlohmann::json& j, GpuDevice& d);
void to_json(nlohmann::json& j, const HostFacts& h);
void from_json(const nlohmann::json& j, HostFacts& h);

}  // namespace dlc::gpu
