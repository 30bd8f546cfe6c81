// Where a workspace's containers run (docs/design.md, "Where containers run"): which engine, and what
// that means for the rest of core. A local engine sees this machine's folders, ports and GPUs; a
// remote one (tcp://, ssh://) gets the workspace as a volume (a copy or a clone) unless the same folder
// is there too, publishes ports on its own loopback (the user reaches them through forwards over the
// engine connection), and its GPU facts come from a probe container there.
//
// A Slurm job (issue 15) is one more kind of placement: an engine reached over a command's stdio, for
// as long as the job lives.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/workspace.h"
#include "engine/endpoint.h"

namespace dlc::core {

// The engine `host` names (--host, or the params' host), else the docker CLI's choice (DOCKER_HOST,
// DOCKER_CONTEXT, its config's currentContext), else the user config's default "host", else the
// default socket. Error{InvalidArgument|ConfigInvalid} for one that cannot be used.
engine::Endpoint engine_endpoint(const std::string& host = {});

// One workspace service per engine, made when first asked for and kept: a server answers requests
// for whichever engine a client names, each with its own locks and status cache.
class Placements {
 public:
  // default_host: what "" means (`serve --host`); "" there too: engine_endpoint's choice.
  explicit Placements(std::string default_host = {}) : default_host_(std::move(default_host)) {}
  // Connects when first asked; Error{EngineUnavailable|EnginePermission} while the engine cannot be reached.
  Workspaces& at(const std::string& host = {});

 private:
  std::mutex mu_;
  std::string default_host_;
  std::map<std::string, std::unique_ptr<Workspaces>> by_url_;
};

}  // namespace dlc::core
