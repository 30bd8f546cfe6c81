// A Podman API service made by the test: Debian's podman 4.3 serving its Docker-compatible API on a
// socket the test owns, with storage in a folder the test owns, rootful (as root) or rootless (as a
// user the test creates with subordinate ids and removes). The local test images are loaded into it.
// Everything it made goes away with it: the service, its pause process, its storage, the user.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "integration/support.h"

namespace dlc::testing {

// Podman 4.3 cannot apply its default rlimits on these machines ("error setting rlimit type 7/6:
// operation not permitted"); without systemd, cgroups are managed directly and events go to a file.
inline constexpr const char* kPodmanContainersConf = R"([containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
)";

class PodmanService {
 public:
  enum class Mode { Rootful, Rootless };
  // Starts the service; on failure, why() says what is missing (the caller fails or skips).
  explicit PodmanService(Mode mode);
  ~PodmanService();
  PodmanService(const PodmanService&) = delete;

  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  const std::string& socket() const { return socket_; }
  uid_t uid() const { return uid_; }
  gid_t gid() const { return gid_; }
  // Copies images from the test's Docker engine (docker save | podman load); false with why() on failure.
  bool load(const std::vector<std::string>& images);
  // Runs the dlcontainer binary as the service's user, with the environment that finds this Podman:
  // DLC_ENGINE=podman, and its socket (rootless: through XDG_RUNTIME_DIR, as a user's own would be
  // found; rootful: CONTAINER_HOST, since /run/podman/podman.sock is the host's).
  RunResult dlc(const std::vector<std::string>& args, RunOptions options = {}) const;
  // Runs podman against this service's storage, as its user.
  RunResult podman(const std::vector<std::string>& args) const;
  // A workspace folder the service's user owns.
  std::unique_ptr<Workspace> workspace() const;

 private:
  RunOptions as_user() const;
  void stop();

  Mode mode_;
  std::string why_;
  std::filesystem::path dir_;
  std::string user_;  // the rootless user, "" for rootful
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::string socket_;
  pid_t pid_ = -1;
};

// Under CI=true a missing Podman is a failure; otherwise a skip.
#define DLC_REQUIRE_PODMAN(service)                                                   \
  if (!(service).ok()) {                                                              \
    if (::dlc::testing::in_ci()) FAIL() << "CI=true and no Podman: " << (service).why(); \
    GTEST_SKIP() << "no Podman: " << (service).why();                                 \
  }

}  // namespace dlc::testing
