// The one error type that crosses layers: what happened, and what to do about it.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dlc {

// Stable names: the RPC layer maps each to a JSON-RPC code and the CLI to an exit status,
// so add at the end and never renumber.
enum class ErrorCode {
  Internal = 0,
  InvalidArgument,      // a flag or a parameter the user gave is wrong
  PathNotFound,         // a workspace or file path that does not exist
  ConfigInvalid,        // devcontainer.json (or another config) cannot be used as written
  EngineUnavailable,    // the Docker daemon is not running or not reachable
  EnginePermission,     // the daemon's socket refuses this user
  EngineError,          // the daemon answered with an error
  ImageNotFound,        // an image is missing locally and cannot be pulled
  BuildFailed,          // an image build failed
  ContainerNotFound,    // the workspace has no container
  ContainerNotRunning,  // the workspace's container exists but is stopped
  CommandFailed,        // a lifecycle command exited non-zero
  Cancelled,            // the caller cancelled the work
  PortUnavailable,      // no free host port could be found
  GpuUnavailable,       // GPUs were required and none can be attached
  DriverTooOld,         // the driver cannot run the CUDA that is asked for
  UnknownVersion,       // a framework or CUDA version that the catalog does not know
  Conflict,             // requirements that cannot be satisfied together
  RegistryUnavailable,  // a registry or download URL (a Feature's) cannot be reached or refuses us
  NetworkUnavailable,   // a remote (a git repository's host) cannot be reached
};

std::string_view to_string(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, std::string hint = {})
      : std::runtime_error(std::move(message)), code_(code), hint_(std::move(hint)) {}

  ErrorCode code() const { return code_; }
  const std::string& hint() const { return hint_; }

 private:
  ErrorCode code_;
  std::string hint_;
};

void to_json(nlohmann::json& j, const Error& e);

}  // namespace dlc
