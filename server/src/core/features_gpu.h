// dlcontainer's GPU knowledge applied to the nvidia-cuda Feature
// (ghcr.io/devcontainers/features/nvidia-cuda): CUDA that the base image already brings is not
// installed a second time, and a CUDA the host's driver cannot run stops `up` before anything is built.
#pragma once

#include <functional>
#include <string>

#include "core/features.h"
#include "engine/types.h"
#include "gpu/host_facts.h"

namespace dlc::core {

inline constexpr const char* kNvidiaCudaFeature = "ghcr.io/devcontainers/features/nvidia-cuda";

// Edits the set: drops the nvidia-cuda Feature (with a note saying so) when the base image has CUDA
// (its CUDA_VERSION), and throws Error{DriverTooOld} naming the driver's highest CUDA when the
// Feature's cudaVersion needs a newer driver than the host's (the catalog's toolkit/driver table).
// `host` is read only when the Feature is there, through read_host when given.
void apply_gpu_knowledge(FeatureSet& set, const engine::ImageInfo& base, const std::function<gpu::HostFacts()>& read_host);

}  // namespace dlc::core
