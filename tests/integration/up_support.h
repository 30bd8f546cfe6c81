// What tests of `up` share beyond support.h: its --json result, and the socket's group for running
// the binary as another user.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "integration/support.h"

namespace dlc::testing {

// `dlcontainer up <workspace> --json <extra...>`'s result; the test fails when up does.
nlohmann::json up_json(const Workspace& ws, const std::vector<std::string>& extra = {});

// What `sh -c script` prints in the workspace's container (`dlcontainer exec`); the test fails when it fails.
std::string in_container(const Workspace& ws, const std::string& script);

// The group that may use the engine's socket, for a test that runs the binary as another user;
// nullopt (and why) where the socket does not let a group in.
std::optional<gid_t> socket_group(std::string* why);

}  // namespace dlc::testing
