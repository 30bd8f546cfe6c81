// A Slurm job that holds a workspace's engine: a rootless Podman API service on the allocated node,
// for as long as the job runs (docs/slurm.md). Everything here goes through Slurm's own commands
// (sbatch, squeue, scancel) on this machine's PATH and its slurm.conf; nothing talks to slurmctld.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "support/cancel.h"
#include "support/progress.h"

namespace dlc::core {

// What `up --slurm` asks the scheduler for: flags > customizations.dlcontainer.slurm > Slurm's defaults.
struct SlurmRequest {
  bool enabled = false;     // --slurm, params.slurm present
  std::string partition;    // --partition; "" : the cluster's default
  std::string gpus;         // --gres=gpu:VALUE ("1", "a100:2"); "" : none
  std::string cpus;         // --cpus-per-task
  std::string mem;          // --mem ("16G")
  std::string time;         // --time ("2:00:00")
  std::string account;      // --account
  int wait_seconds = 0;     // how long the job may stay pending before it is cancelled; 0 : 600
  // Fields of `other` that this one leaves empty.
  void fill_from(const SlurmRequest& other);
  // Error{InvalidArgument} naming a value sbatch would misread (a leading '-', spaces, too long).
  void validate() const;
  bool any_field() const;
};
void to_json(nlohmann::json& j, const SlurmRequest& r);
void from_json(const nlohmann::json& j, SlurmRequest& r);

// What Slurm says of a job now (squeue -t all; a job Slurm forgot is state "GONE").
struct SlurmJobInfo {
  std::string job_id;
  std::string state;      // PENDING | RUNNING | COMPLETING | TIMEOUT | CANCELLED | FAILED | ... | GONE
  std::string reason;     // Resources, PartitionDown, TimeLimit, None ...
  std::string node;       // "" while pending
  std::string time_left;  // squeue's %L: 1:59:30, UNLIMITED
  std::string partition;
  bool running() const { return state == "RUNNING"; }
  bool waiting() const { return state == "PENDING" || state == "CONFIGURING" || state == "REQUEUED"; }
};

// Submits the engine's job; its output goes to `output` (%j for the id: a file the node writes on the
// shared file system). Returns the job id. Error{EngineUnavailable} with no sbatch on PATH,
// Error{InvalidArgument} with sbatch's own words for what it refuses (an unknown partition).
std::string submit_engine_job(const SlurmRequest& request, const std::string& name, const std::string& output);

SlurmJobInfo slurm_job_info(const std::string& job_id);

// The socket the job's Podman listens on, on its node (the same user runs there; /tmp is the node's).
std::string slurm_engine_socket(const std::string& job_id);

// Waits until the job runs (progress: pending with Slurm's reason, then running on NODE), at most
// request.wait_seconds. Past it, or on cancel, the job is cancelled and Error says Slurm's last reason;
// a job that ends before it runs is an Error with its state, reason and the tail of `output`.
SlurmJobInfo wait_for_job(const std::string& job_id, const SlurmRequest& request, const std::string& output,
                          ProgressSink& progress, const CancelToken& cancel);

// The variables that say which GPUs the job was given (SLURM_STEP_GPUS, SLURM_JOB_GPUS,
// CUDA_VISIBLE_DEVICES), as a step of the job sees them on its node: one `srun --overlap printenv`.
// Error{EngineUnavailable} when the step cannot run (the job ended).
std::map<std::string, std::string> slurm_gpu_environment(const std::string& job_id);

// scancel, then waits (bounded, 30 s) until Slurm no longer lists the job as pending or running.
void cancel_slurm_job(const std::string& job_id);

// The last lines of a job's output file, for messages ("" when it cannot be read).
std::string job_output_tail(const std::string& output, const std::string& job_id);

}  // namespace dlc::core
