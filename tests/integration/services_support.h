// What the services tests share (services_test.cpp: ports, forwards, Jupyter; debuggers_test.cpp:
// debugpy, gdbserver, X11): the image with Debian's own programs, and the CLI's answers read as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "integration/support.h"

namespace dlc::testing {

// tests/images/services: Jupyter, TensorBoard, debugpy, gdbserver, X11 clients, from Debian.
inline constexpr const char* kServicesImage = "dlc-test/services:latest";

#define DLC_REQUIRE_SERVICES_IMAGE()                                                                    \
  DLC_REQUIRE_ENGINE();                                                                                 \
  ASSERT_TRUE(engine.inspect_image(::dlc::testing::kServicesImage))                                     \
      << ::dlc::testing::kServicesImage << " is missing: tests/images/build.sh services builds it"

// A devcontainer.json of this image, with more properties (`"a": 1, "b": 2`) when given.
std::string config_with(const std::string& image, const std::string& extra = "");
// `dlcontainer up WS --json`, expected to succeed.
nlohmann::json up(const Workspace& ws);
// A command's JSON output, expected to succeed and parse.
nlohmann::json json_of(const RunResult& r);
// Something in the container that outlives the exec that starts it; fails when it ends within a second.
void start_in_container(const Workspace& ws, const std::string& command);
bool process_runs(int pid);

}  // namespace dlc::testing
