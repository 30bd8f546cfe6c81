// The GPUs a scheduler gave a job, as its step's environment says on the node, and what a workspace's
// request becomes within them. Pure (the environment is read by core on the node), so every case is
// unit-tested without a cluster or a GPU. A job's container gets only these GPUs, never "all": the
// node's other GPUs belong to other users' jobs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gpu/attach.h"

namespace dlc::gpu {

struct AllocatedGpus {
  std::string holder;               // who gave them, for messages: "Slurm job 42"
  std::vector<std::string> ids;     // the node's GPU indices ("0", "2"), or UUIDs where the site sets those
  std::string source;               // the variable they came from; "" when none said anything (no GPU given)
};

// From SLURM_STEP_GPUS, else SLURM_JOB_GPUS (Slurm's indices of the node's GPUs), else
// CUDA_VISIBLE_DEVICES (which, with the cgroup's device constraint, Slurm may renumber from 0: taken
// only when the others are absent). "NoDevFiles" (a GRES without device files) and empty values say
// nothing. Ranges ("0-3") are expanded. Error{GpuUnavailable} for a value that is neither an index
// nor a UUID, or more than 1024 GPUs, naming the variable.
AllocatedGpus allocated_gpus(const std::map<std::string, std::string>& env, const std::string& holder);

// The request's selection within what was given: "all" is every given GPU, a count the first N of them,
// devices must each be among them (a UUID matched through the node's GPUs, `gpus`). The need is kept
// (an optional request given no GPU starts without one: need None with the reason in source).
// Error{GpuUnavailable} when a required request cannot be met within the allocation, with the hint to
// ask Slurm for the GPUs (--slurm-gpus).
GpuRequest within_allocation(const GpuRequest& request, const AllocatedGpus& given, const std::vector<GpuDevice>& gpus);

}  // namespace dlc::gpu
