// A real single-node Slurm cluster made by the test from Debian's packages: munged, slurmctld and
// slurmd on this machine, in a folder of the test's own (their own ports, state and munge socket;
// nothing of the system's Slurm or munge is used or changed). One partition ("dlc") of one node
// ("dlcnode") with one GPU as Slurm's generic resource, backed by a placeholder character device
// (mknod c 1 3: slurmd refuses plain files), so that allocation and CUDA_VISIBLE_DEVICES are real.
// A test user with subordinate ids runs rootless Podman (from Debian) in the jobs; the local test
// image is loaded into that user's storage. Everything goes away with the cluster: jobs (squeue is
// checked empty), daemons, the user and every process of theirs, the folder.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "integration/support.h"

namespace dlc::testing {

class SlurmCluster {
 public:
  SlurmCluster();
  ~SlurmCluster();
  SlurmCluster(const SlurmCluster&) = delete;

  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  static constexpr const char* kPartition = "dlc";
  static constexpr const char* kNode = "dlcnode";

  // Runs the dlcontainer binary as the test user, with SLURM_CONF naming this cluster.
  RunResult dlc(const std::vector<std::string>& args, RunOptions options = {}) const;
  // The user's images and the jobs' output files, for a failure's message.
  std::string diagnose() const;
  // Runs any program as the test user, with SLURM_CONF naming this cluster.
  RunResult run_as_user(const std::vector<std::string>& argv) const { return run(argv, as_user()); }
  // Runs a Slurm command (squeue, scontrol, ...) as root against this cluster.
  RunResult slurm(const std::vector<std::string>& argv) const;
  // The test user's jobs that Slurm lists as pending or running (job ids).
  std::vector<std::string> live_jobs() const;
  // The environment dlc() gets (for a Spawned run as the user through runuser).
  std::vector<std::string> user_command(const std::vector<std::string>& dlc_args) const;
  // A workspace folder the test user owns, with a devcontainer.json for the image (the Python one by default).
  std::unique_ptr<Workspace> workspace(const std::string& extra_json = "", const std::string& image = kPythonImage) const;
  const std::string& user() const { return user_; }
  // Copies an image from the test's Docker engine into the user's Podman storage (docker save |
  // podman load), for a test that needs more than the Python image; false with why() on failure.
  bool load_image(const std::string& image);
  // The user's Podman runtime folder on the node (the job script's choice for a job given none).
  std::string runtime_dir() const { return "/tmp/dlc-podman-run-" + std::to_string(uid_); }
  uid_t uid() const { return uid_; }
  const std::filesystem::path& home() const { return home_; }

 private:
  bool start_munge();
  bool start_slurm();
  bool make_user();
  void stop();
  RunOptions as_user() const;

  std::string why_;
  std::filesystem::path dir_;
  std::filesystem::path conf_;
  std::string user_;
  std::filesystem::path home_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

// Under CI=true a cluster that cannot be made is a failure; otherwise a skip.
#define DLC_REQUIRE_SLURM(cluster)                                                              \
  if (!(cluster).ok()) {                                                                        \
    if (::dlc::testing::in_ci()) FAIL() << "CI=true and no Slurm test cluster: " << (cluster).why(); \
    GTEST_SKIP() << "no Slurm test cluster: " << (cluster).why();                               \
  }

}  // namespace dlc::testing
