// Whether a framework build runs on a GPU: the build's code is compiled for some architectures
// (cubins) and, for some, kept as PTX that the driver compiles for a newer GPU when the program loads.
// NVIDIA's rule (the Hopper and Ampere compatibility guides): a cubin for compute capability X.y runs
// on X.z with z >= y; PTX for X.y runs on any GPU of a higher compute capability, JIT-compiled.
#pragma once

#include <string>
#include <vector>

namespace dlc::resolve {

enum class ArchRun { Unknown, Native, Ptx, No };

// What a plan's image means for the host's GPUs.
struct ArchFit {
  ArchRun run = ArchRun::Unknown;
  std::string gpu;     // "NVIDIA H100 80GB HBM3 (compute capability 9.0)"
  std::string build;   // "sm_37, sm_50, ..., sm_86, compute_37 PTX"
  std::string why;     // in words, when not Native
  std::string source;  // the catalog source of the build's architectures
};

// archs are TORCH_CUDA_ARCH_LIST entries ("7.0", "8.6+PTX").
ArchRun arch_run(const std::vector<std::string>& archs, int major, int minor);
// "sm_50, sm_60, compute_50 PTX" for the entries.
std::string arch_words(const std::vector<std::string>& archs);

}  // namespace dlc::resolve
