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
  int minor = -1;            // N of /dev/nvidiaN; -1 when unknown (then N is taken to be the index)
};

struct HostFacts {
  bool driver_present = false;
  std::string driver_version;  // "580.65.06"; "" when no driver
  std::string cuda_version;    // the highest CUDA the driver supports, "13.0"; "" when no driver
  std::vector<GpuDevice> gpus;
  std::string source;          // where the facts came from: "nvml", "cuda", "none", or "given" (--driver)
  std::string why_none;        // when there is no usable GPU: why, in words ("libnvidia-ml.so.1 not found")
  std::string library_path;    // the driver library the facts were read through, as the loader found it
  std::string machine;         // the machine they describe: "" for this one, else a remote engine's host
};

// Where to look; the defaults are the host's. Tests point these at fakes.
struct ProbeOptions {
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string cuda_library = "libcuda.so.1";
  std::string root = "/";  // prefix for /proc/driver/nvidia and /sys/bus/pci, which explain a missing driver
  // Where nvidia-smi is looked for when the loader cannot find the libraries by name (a driver in a
  // folder of its own, such as /usr/local/nvidia, outside ld.so.cache and LD_LIBRARY_PATH): its
  // libraries are then in ../lib64 or ../lib. Empty: $PATH and the system's bin folders.
  std::vector<std::string> path_dirs;
  // False in a statically linked reader (the agent's probe): dlopen of the driver's libraries there
  // crashes the process (SIGFPE seen on an H100 host with glibc 2.39), since their C library is not the
  // reader's. The facts then say that the libraries were not loaded, and nvidia-smi answers instead.
  bool load_libraries = true;
};

// Reads the facts through NVML, else the driver API; never throws. With no driver, `why_none` says
// what is missing (no NVIDIA GPU at all, a GPU without its driver, a driver without its libraries).
HostFacts read_host_facts(const ProbeOptions& options = {});

// Facts from nvidia-smi's own words, for where the driver's libraries cannot be loaded into the reading
// process (a static probe whose C library is not the driver host's). query_csv: the output of
// `nvidia-smi --query-gpu=index,name,uuid,memory.total,compute_cap,pci.bus_id,driver_version
// --format=csv,noheader,nounits`; header: plain `nvidia-smi`'s, which holds "CUDA Version: X.Y".
// driver_present stays false when query_csv holds no GPU row.
HostFacts facts_from_nvidia_smi(const std::string& query_csv, const std::string& header);

void to_json(nlohmann::json& j, const GpuDevice& d);
void from_json(const nlohmann::json& j, GpuDevice& d);
void to_json(nlohmann::json& j, const HostFacts& h);
void from_json(const nlohmann::json& j, HostFacts& h);

}  // namespace dlc::gpu
