// Dev containers that are a service of a Docker Compose project, run through the engine's own compose
// tool as the reference does (`docker compose` when the docker CLI has it, else `docker-compose`).
// dlcontainer adds what it adds to any container (its labels and the Dev Containers ones, the
// metadata, GPUs as device reservations, published ports, mounts, the user's uid) with an override
// file it writes; the project's own files are never changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/container_plan.h"
#include "core/workspace.h"
#include "engine/engine.h"

namespace dlc::core {

// The compose tool on this host: its command and version.
struct ComposeTool {
  std::vector<std::string> command;  // {"docker", "compose"} or {"docker-compose"}
  std::string version;               // "2.24.0", "1.29.2"
  int major = 0, minor = 0;
};
// Error{PathNotFound} naming both when neither is installed.
ComposeTool find_compose_tool();

// The project's name as the reference derives it: COMPOSE_PROJECT_NAME, else .env's, else the
// compose files' `name:`, else "<folder>_devcontainer" for files in .devcontainer/, else the compose
// file's folder; lower case, other characters dropped as the tool's version does.
std::string compose_project_name(const WorkspaceContext& ws, const ComposeTool& tool, const nlohmann::json& compose_config);

// The override file for the dev container's service (and for the services that forwardPorts names
// as "service:port"): the spec's container edits translated into compose's terms. `spec` is what
// container_spec() (and attach_gpus()) make for any container; its workspace mount is the compose
// file's business and is not in it. `version_line` is the first compose file's `version:` line.
std::string compose_override(const engine::ContainerSpec& spec, const std::string& service,
                             const std::vector<config::ForwardPort>& forward_ports, const nlohmann::json& compose_config,
                             const std::string& version_line);

// up for a Compose configuration: the service's container reused (its project started when it is
// stopped) or made (built, its image's metadata merged, the override written, `up -d`). Returns its id.
std::string up_compose(const engine::Engine& engine, const WorkspaceContext& ws, const UpParams& params,
                       std::optional<engine::ContainerSummary> existing, const std::vector<engine::Mount>& extra_mounts,
                       UpResult& result, ProgressSink& progress, const CancelToken& cancel);

// down for a container of a Compose project: stopCompose stops every service of the project (with
// remove: `down`, which keeps volumes); otherwise only the dev container. Returns the action taken.
std::string down_compose(const engine::Engine& engine, const engine::ContainerSummary& container, bool remove);

}  // namespace dlc::core
