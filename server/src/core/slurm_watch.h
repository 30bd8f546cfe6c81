// Slurm jobs that end behind a long-lived server's back (their time limit, `scancel` from a shell,
// preemption, a node that fails). The job's engine goes with the job, so no engine event tells of it:
// the scheduler is asked instead, for the jobs recorded for this user's workspaces
// (core/slurm_placement.h), and only while some are pending or running.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "support/cancel.h"

namespace dlc::core {

// Calls on_ended(workspace) once for each recorded job that was pending or running (as seen here, or
// as its record says: the last command that asked Slurm) and is no longer; its record is updated with
// Slurm's state and reason first, so status says why, and the end is told once. Every `period`, one
// squeue per job still live; until cancel.
void watch_slurm_jobs(const std::function<void(const std::string& workspace)>& on_ended, const CancelToken& cancel,
                      std::chrono::milliseconds period = std::chrono::seconds(5));

}  // namespace dlc::core
