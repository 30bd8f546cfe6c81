// core/engine_options: rootless Podman keeps the user's uid for a non-root remote user (userns
// keep-id); nothing changes for Docker or rootful Podman, nor for root, who already is the user.
#include <gtest/gtest.h>

#include "core/engine_options.h"

namespace dlc::core {
namespace {

TEST(EngineOptions, RootlessPodmanKeepsANonRootUsersUid) {
  EXPECT_EQ(userns_mode_for({.podman = true, .rootless = true}, "vscode"), "keep-id");
  EXPECT_EQ(userns_mode_for({.podman = true, .rootless = true}, "1000"), "keep-id");
}

TEST(EngineOptions, RootInRootlessPodmanIsAlreadyTheUser) {
  for (const char* user : {"", "root", "0", "0:0"}) EXPECT_EQ(userns_mode_for({.podman = true, .rootless = true}, user), "") << user;
}

TEST(EngineOptions, DockerAndRootfulPodmanAreLeftAlone) {
  EXPECT_EQ(userns_mode_for({.podman = true, .rootless = false}, "vscode"), "");
  EXPECT_EQ(userns_mode_for({}, "vscode"), "");
}

}  // namespace
}  // namespace dlc::core
