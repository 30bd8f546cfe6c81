#include "support/error.h"

#include <nlohmann/json.hpp>

namespace dlc {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::Internal: return "internal";
    case ErrorCode::InvalidArgument: return "invalidArgument";
    case ErrorCode::PathNotFound: return "pathNotFound";
    case ErrorCode::ConfigInvalid: return "configInvalid";
    case ErrorCode::EngineUnavailable: return "engineUnavailable";
    case ErrorCode::EnginePermission: return "enginePermission";
    case ErrorCode::EngineError: return "engineError";
    case ErrorCode::ImageNotFound: return "imageNotFound";
    case ErrorCode::BuildFailed: return "buildFailed";
    case ErrorCode::ContainerNotFound: return "containerNotFound";
    case ErrorCode::ContainerNotRunning: return "containerNotRunning";
    case ErrorCode::CommandFailed: return "commandFailed";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::PortUnavailable: return "portUnavailable";
    case ErrorCode::GpuUnavailable: return "gpuUnavailable";
    case ErrorCode::DriverTooOld: return "driverTooOld";
    case ErrorCode::UnknownVersion: return "unknownVersion";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::RegistryUnavailable: return "registryUnavailable";
    case ErrorCode::NetworkUnavailable: return "networkUnavailable";
  }
  return "internal";
}

void to_json(nlohmann::json& j, const Error& e) {
  j = {{"code", to_string(e.code())}, {"message", e.what()}};
  if (!e.hint().empty()) j["hint"] = e.hint();
}

}  // namespace dlc
