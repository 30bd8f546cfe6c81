// The workspace commands where a Placement (core/placement.h) decides the engine: `up` acquires it
// (submitting a Slurm job when asked), `down` releases it (cancelling the job), `status` adds what
// holds it and answers from the scheduler when the engine is gone. Both front ends call these.
#pragma once

#include <functional>
#include <string>

#include "core/placement.h"
#include "core/workspace.h"

namespace dlc::core {

// The workspace service of the engine at a URL (the CLI's one connection, the server's Placements).
using WorkspacesAt = std::function<Workspaces&(const std::string& engine_url)>;

// UpParams::slurm, filled from customizations.dlcontainer.slurm where the flags leave a field out.
UpResult up_placed(UpParams params, const WorkspacesAt& at, ProgressSink& progress, const CancelToken& cancel);
// For a Slurm workspace: the container removed (it lives in the job's storage), the job cancelled.
DownResult down_placed(const DownParams& params, const WorkspacesAt& at);
// For a Slurm workspace whose job is not running: state "pending" or "exited", with Slurm's state and reason.
WorkspaceStatus status_placed(const StatusParams& params, const WorkspacesAt& at);
// The same as its JSON text: a plain engine's workspace answers with the text the status cache keeps.
JsonText status_placed_text(const StatusParams& params, const WorkspacesAt& at);

}  // namespace dlc::core
