// A workspace placed in a Slurm job: the job is submitted by `up --slurm`, recorded for the workspace
// on this machine (the engine there cannot be asked once the job is gone), and its Podman service is
// reached through srun (engine/slurm.h). The record is the only state kept beside the engine's labels:
// the job id, the request and the last state Slurm gave, so that `status` can still say why a job
// ended after Slurm forgot it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/placement.h"
#include "core/slurm_job.h"

namespace dlc::core {

struct SlurmRecord {
  std::string workspace;  // the canonical folder
  std::string job_id;
  std::string socket;     // the engine's socket on the node
  std::string output;     // the job's output file
  std::string last_state, last_reason, node;
};

// $XDG_STATE_HOME/dlcontainer/slurm (else ~/.local/state/...), made 0700.
std::filesystem::path slurm_state_dir();
// Where the workspace's record is (whether or not there is one; nothing is made).
std::filesystem::path slurm_record_path(const std::string& workspace);
std::optional<SlurmRecord> load_slurm_record(const std::string& workspace);
void save_slurm_record(const SlurmRecord& record);
void remove_slurm_record(const std::string& workspace);
// Every workspace's record in the folder (at most 256, each bounded as load_slurm_record bounds it).
std::vector<SlurmRecord> list_slurm_records();

// `request` empty (not enabled): the recorded job only (status, exec, down).
std::unique_ptr<Placement> slurm_placement(const std::string& workspace, const SlurmRequest& request);

}  // namespace dlc::core
