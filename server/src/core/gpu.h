// GPUs for a workspace's container: decided before anything is made, applied to the spec, and
// recorded on the container as a label (the engine stays the source of truth).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/container_plan.h"
#include "core/workspace.h"
#include "gpu/attach.h"
#include "gpu/cdi.h"

namespace dlc::core {

inline constexpr const char* kGpuLabel = "dev.dlcontainer.gpu";

struct GpuPlan {
  gpu::Attachment attachment;
  gpu::AttachEnvironment environment;
  std::int64_t host_memory = 0;
  // CDI names resolved here for an engine that cannot resolve them (Podman's compatible API).
  std::optional<gpu::CdiEdits> cdi_edits;
};

// Decides a new container's GPUs from devcontainer.json and the flags, reading the host only when GPUs
// are asked for. A workspace that needs a GPU this host cannot give stops here with
// Error{GpuUnavailable}, before any image is pulled or built.
GpuPlan plan_gpus(const engine::Engine& engine, const WorkspaceContext& ws, const UpParams& params);

// Edits the container's spec as planned and labels it with the decision.
void attach_gpus(const GpuPlan& plan, engine::ContainerSpec& spec, const engine::ImageInfo& image);

// What a container's label says about its GPUs; Method::None for a container without the label.
gpu::Attachment gpu_attachment_of(const std::map<std::string, std::string>& labels);

}  // namespace dlc::core
