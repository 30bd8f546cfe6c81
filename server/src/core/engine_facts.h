// The GPU facts of where an engine runs (docs/design.md: host facts belong to where the engine runs,
// not to the machine dlcontainer runs on). A local engine's are read here; a remote one's by a
// short-lived probe container on its host: an image of the agent alone (imported, since nothing may be
// pullable there), the host's / mounted read-only, NVIDIA's device nodes allowed, no network, running
// `dlcontainer-agent gpu-facts`, removed when it has answered. Cached per engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "gpu/allocated.h"
#include "gpu/discovery.h"
#include "gpu/host_facts.h"
#include "support/cancel.h"

namespace dlc::core {

struct EngineHostFacts {
  gpu::HostFacts facts;          // facts.machine names the host when it is not this one
  gpu::AttachEnvironment attach;  // the files there, and what the engine says of itself
  std::optional<engine::SystemInfo> info;
  std::string disk_path;          // where the engine keeps images, on its host
  std::optional<std::int64_t> disk_free;
  bool local = true;
  bool podman = false;            // Podman's compatible API answers (a local engine's, so far)
  // Where a scheduler holds the engine (a Slurm job): the GPUs it gave, read on the node. Only these
  // may be attached.
  std::optional<gpu::AllocatedGpus> allocated;
};

// Reads them (fresh: `gpus`, `doctor`), or takes them from this process's cache or a cache file of at
// most ten minutes (`plan`, `up`). Never throws for a GPU that is not there: a probe that cannot run
// says why in facts.why_none. Error{Engine*} only when the engine itself cannot be reached.
enum class Freshness { Cached, Fresh };
EngineHostFacts engine_host_facts(const engine::Engine& engine, Freshness freshness = Freshness::Cached,
                                  const CancelToken& cancel = {});

// The facts of the host of the engine `host` names ("" : the default engine, core/placement.h): this
// machine's when that engine is local, read without the engine (which need not run); else the probe's.
gpu::HostFacts gpu_facts_for_host(const std::string& host);

// The GPUs Slurm job `job_id` was given, as a step of it sees them on the node (read once per job by
// this process). Error{EngineUnavailable} when the step cannot run; Error{GpuUnavailable} for values
// that name no GPU.
gpu::AllocatedGpus slurm_job_gpus(const std::string& job_id);

// The probe's image on an engine: dlcontainer/probe:<agent hash>, imported when missing.
std::string ensure_probe_image(const engine::Engine& engine);

// Labels of the probe's containers (to find one left by a killed dlcontainer).
inline constexpr const char* kProbeLabel = "dev.dlcontainer.probe";

}  // namespace dlc::core
