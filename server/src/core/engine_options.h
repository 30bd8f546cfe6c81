// What the engine itself asks of a new container, beyond the workspace's configuration.
#pragma once

#include <string>

#include "engine/podman.h"

namespace dlc::core {

// The user-namespace mode: rootless Podman maps the container's uids into the user's subordinate
// range, so a non-root remote user (given the host uid by the uid layer) would write workspace files
// as a stranger; "keep-id" maps the user's uid to itself, as the reference CLI does for Podman. A root
// remote user gets "" : rootless Podman's root already is the user on the host. Docker and rootful
// Podman: "".
std::string userns_mode_for(const engine::PodmanFacts& engine, const std::string& remote_user);

}  // namespace dlc::core
