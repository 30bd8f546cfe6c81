// Where a workspace's containers run (docs/design.md, "Where containers run"): which engine, and what
// that means for the rest of core. A local engine sees this machine's folders, ports and GPUs; a
// remote one (tcp://, ssh://) gets the workspace as a volume (a copy or a clone) unless the same folder
// is there too, publishes ports on its own loopback (the user reaches them through forwards over the
// engine connection), and its GPU facts come from a probe container there.
//
// A Slurm job is one more kind (core/slurm_placement.h): an engine reached over a command's stdio
// (srun --overlap), for as long as the job lives. The Placement interface below is the one place that
// kind is chosen; a Kubernetes pod would be one more implementation (docs/design.md).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/workspace.h"
#include "engine/endpoint.h"

namespace dlc::core {

// The engine `host` names (--host, or the params' host), else the docker CLI's choice (DOCKER_HOST,
// DOCKER_CONTEXT, its config's currentContext), else the user config's default "host", else the
// default socket. Error{InvalidArgument|ConfigInvalid} for one that cannot be used.
engine::Endpoint engine_endpoint(const std::string& host = {});

// Where one workspace's engine is, and what holds it there. A plain engine (local, tcp://, ssh://) is
// simply there; a scheduler's placement starts it (acquire), knows its allocation, and ends it.
class Placement {
 public:
  virtual ~Placement() = default;
  // The engine, started first where this placement owns its life (a Slurm job submitted, waited for
  // until its Podman answers). started_now() then says a failed `up` should release() it again.
  virtual engine::Endpoint acquire(ProgressSink& progress, const CancelToken& cancel) = 0;
  virtual bool started_now() const { return false; }
  // The engine while it runs, starting nothing; nullopt when it is gone (the job ended): allocation() says why.
  virtual std::optional<engine::Endpoint> current() = 0;
  // The job (id, node, state, time left, reason) where a scheduler holds the engine; nullopt otherwise.
  virtual std::optional<Allocation> allocation() = 0;
  // Ends what acquire started (scancel) and forgets it; nothing for a plain engine.
  virtual void release() = 0;
};

// The workspace's placement: a Slurm job when `slurm` asks for one, or when one is recorded for the
// folder and `host` names no engine; else the engine `host` names (engine_endpoint).
std::unique_ptr<Placement> place(const std::string& workspace, const std::string& host, const SlurmRequest& slurm = {});

// The engine URL commands on an existing workspace use (exec, logs, services): `host` when given, a
// running Slurm job's engine when one is recorded for the folder, else "" (the default engine).
// Error{ContainerNotRunning} when the recorded job has ended, with Slurm's reason.
std::string engine_for(const std::string& workspace, const std::string& host);

// One workspace service per engine, made when first asked for and kept: a server answers requests
// for whichever engine a client names, each with its own locks and status cache.
class Placements {
 public:
  // default_host: what "" means (`serve --host`); "" there too: engine_endpoint's choice.
  explicit Placements(std::string default_host = {}) : default_host_(std::move(default_host)) {}
  // Connects when first asked; Error{EngineUnavailable|EnginePermission} while the engine cannot be reached.
  Workspaces& at(const std::string& host = {});
  // The one already connected for `host`, without choosing, connecting or reading anything (null when
  // there is none yet, or the default engine is due to be chosen again): for answers that must not wait.
  Workspaces* connected(const std::string& host = {});

 private:
  // The URL "" means now. The docker CLI's choice reads its config, the user's config and the sockets
  // there are (a dozen system calls, most of a cached status's cost when made for every request): it is
  // made again at most once a second, so that a `docker context use` still reaches a running server.
  engine::Endpoint default_endpoint();
  engine::Endpoint endpoint_of(const std::string& host);

  std::mutex mu_;
  std::string default_host_;
  std::map<std::string, std::unique_ptr<Workspaces>> by_url_;
  std::optional<engine::Endpoint> default_endpoint_;  // under mu_: the last choice, and when it was made
  std::chrono::steady_clock::time_point chosen_at_{};
};

}  // namespace dlc::core
