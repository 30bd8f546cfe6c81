// Putting GPUs into a container: which ones (the selection), how (the method), and the edit to the
// container's spec that does it. Pure: takes facts, returns decisions, so every method is tested
// without a GPU.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/devcontainer.h"
#include "engine/types.h"
#include "gpu/discovery.h"
#include "gpu/host_facts.h"

namespace dlc::gpu {

// How GPUs reach the container.
enum class Method {
  None,     // no GPU
  Toolkit,  // the engine's NVIDIA support: DeviceRequests{driver: nvidia}, as `docker run --gpus`
  Cdi,      // CDI device names (nvidia.com/gpu=all), which the engine resolves from /etc/cdi
  Direct,   // device nodes + the driver's libraries and nvidia-smi mounted read-only, found on the host
};
std::string to_string(Method m);
// "toolkit", "cdi", "direct", "none"; nullopt for "auto" or "". Error{InvalidArgument} otherwise.
std::optional<Method> parse_method(const std::string& text);

// Which GPUs: all, the first N, or given ones (indices or UUIDs).
struct Selection {
  enum class Kind { All, Count, Devices } kind = Kind::All;
  int count = 0;
  std::vector<std::string> devices;
  std::string text() const;  // "all", "2", "device=0,1"
  bool operator==(const Selection&) const = default;
};

// Parses docker's --gpus forms: all, 2, count=2, device=0,1, "device=GPU-...", 0,1, and the same
// with driver=/capabilities= options (which are accepted and ignored). Throws Error{InvalidArgument}.
Selection parse_selection(const std::string& text);
// customizations.dlcontainer.gpus: "all", 2, "0,1", ["0", "GPU-..."] or [0, 1].
Selection selection_from_json(const nlohmann::json& value);

// What a workspace asks for, merged from its sources.
struct GpuRequest {
  config::GpuRequirement::Need need = config::GpuRequirement::Need::None;
  Selection selection;
  std::optional<Method> method;  // forced; nullopt: chosen from what the host has
  std::int64_t min_memory = 0;   // bytes per GPU (hostRequirements.gpu.memory)
  std::string source;            // where the request came from, for messages ("hostRequirements.gpu: true")
};

// The request from devcontainer.json and the command line. Precedence for the selection: --gpus, then
// runArgs --gpus, then customizations.dlcontainer.gpus, then all. A selection makes GPUs required,
// unless hostRequirements.gpu is "optional". `--gpus none` (or gpuAttach "none") asks for no GPU.
GpuRequest gpu_request(const config::DevcontainerConfig& config, const std::string& cli_gpus = "",
                       const std::string& cli_method = "");

// The method `up` would use on this host, and why.
struct MethodChoice {
  Method method = Method::None;
  std::string reason;
};
MethodChoice choose_method(const HostFacts& facts, const AttachEnvironment& env);

// The decision for one container.
struct Attachment {
  Method method = Method::None;
  std::string selection;             // what was asked: "all", "2", "device=0"
  std::vector<int> indices;          // the GPUs given to the container
  std::vector<std::string> uuids;    // their UUIDs (when known)
  std::vector<std::string> names;    // their names
  std::vector<std::string> engine_ids;  // what the engine is told: UUIDs (toolkit), CDI names (cdi), nodes (direct)
  std::string reason;                // why this method, or why no GPU
  bool attached() const { return method != Method::None; }
};
void to_json(nlohmann::json& j, const Attachment& a);
void from_json(const nlohmann::json& j, Attachment& a);

// Decides. Throws Error{GpuUnavailable} (with a hint) when GPUs are required and cannot be had, or
// when the selection names GPUs the host does not have; an optional request without GPUs gives
// Method::None with the reason.
Attachment plan_attachment(const GpuRequest& request, const HostFacts& facts, const AttachEnvironment& env);

// The default shared memory of a GPU container: PyTorch's DataLoader workers pass batches through
// /dev/shm, which Docker makes 64 MB. Half the host's memory, at least 1 GiB.
std::int64_t default_shm_size(std::int64_t host_memory);

// Edits the spec: device requests, CDI names, or device nodes + read-only library mounts + the
// loader's path; and /dev/shm for a GPU container unless runArgs set --ipc or --shm-size.
// image_env is the image's environment (LD_LIBRARY_PATH and PATH are extended, not replaced).
void apply_attachment(const Attachment& attachment, const AttachEnvironment& env, engine::ContainerSpec& spec,
                      const std::vector<std::string>& image_env, std::int64_t host_memory);

}  // namespace dlc::gpu
