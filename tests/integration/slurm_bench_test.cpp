// The measurement behind bench/slurm.sh (disabled in the suite: it is a benchmark, not a test): on the
// test's idle single-node cluster, the time from `up --slurm` to a command in the container, split into
// the scheduler's wait (submitted -> running), Podman's start (running -> its API answers through
// srun) and dlcontainer's own (the rest: sbatch, the probes, the container, the exec), beside the same
// container run by hand (`srun podman run --rm IMAGE true`). Medians of DLC_BENCH_RUNS runs (default
// 5), written as JSON to DLC_BENCH_OUT.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <fstream>

#include <nlohmann/json.hpp>

#include "integration/slurm_support.h"

namespace dlc::testing {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

using Samples = std::map<std::string, std::vector<double>>;

// One `up --slurm` of a new workspace to `exec true`, split as the file's comment says, then down.
void measure_up(const SlurmCluster& cluster, Samples& t) {
  auto ws = cluster.workspace();
  auto start = Clock::now();
  Spawned up(cluster.user_command({"up", ws->str(), "--slurm", "--slurm-gpus", "1", "--time", "10"}), cluster.home());
  ASSERT_TRUE(up.wait_for(" submitted", 60)) << up.output;
  double submitted = ms_since(start);
  ASSERT_TRUE(up.wait_for(" running on ", 120)) << up.output;
  double running = ms_since(start);
  ASSERT_TRUE(up.wait_for("Podman answers", 120)) << up.output;
  double podman = ms_since(start);
  int code = up.wait_exit(300).value_or(-1);
  up.wait_for("\x01", 5);  // what it wrote last, to its end
  ASSERT_EQ(code, 0) << up.output;
  auto exec = cluster.dlc({"exec", "-w", ws->str(), "--", "true"});
  ASSERT_EQ(exec.status, 0) << exec.err;
  double total = ms_since(start);
  t["total"].push_back(total);
  t["scheduler"].push_back(running - submitted);
  t["podman_start"].push_back(podman - running);
  t["dlcontainer"].push_back(total - (running - submitted) - (podman - running));
  ASSERT_EQ(cluster.dlc({"down", ws->str()}).status, 0);
}

nlohmann::json medians(const Samples& t) {
  nlohmann::json out;
  for (const auto& [k, v] : t) out["median"][k] = median(v), out["samples"][k] = v;
  return out;
}

// DLC_BENCH_BASELINE=BINARY: each run measures that build too, before or after this one in turn (the
// same cluster, load and image), as "baseline" in the results.
TEST(SlurmBench, DISABLED_UpToAShellSplitIntoSchedulerPodmanAndOurs) {
  SlurmCluster cluster;
  DLC_REQUIRE_SLURM(cluster);
  const char* runs_env = std::getenv("DLC_BENCH_RUNS");
  int runs = runs_env ? std::max(1, std::atoi(runs_env)) : 5;
  const char* baseline = std::getenv("DLC_BENCH_BASELINE");
  const char* own = std::getenv("DLC_TEST_BINARY");
  const std::string this_build = own ? own : "";
  Samples t, before;
  for (int i = 0; i < runs; ++i) {
    // Each up's job ends in the background after its down, slowing the next: the order alternates.
    for (int k = 0; k < 2; ++k) {
      bool base = (k == i % 2) && baseline && *baseline;
      if (k == i % 2 && !base) continue;
      ::setenv("DLC_TEST_BINARY", base ? baseline : this_build.c_str(), 1);
      measure_up(cluster, base ? before : t);
      if (::testing::Test::HasFatalFailure()) return;
    }
    ::setenv("DLC_TEST_BINARY", this_build.c_str(), 1);

    // By hand: one step that runs the same image's `true` in rootless Podman on an allocated node.
    auto hand_start = Clock::now();
    auto by_hand = cluster.run_as_user({"srun", "--gres=gpu:1", "--time=10", "env", "XDG_RUNTIME_DIR=" + cluster.runtime_dir(), "podman",
                                        "run", "--rm", "--network=host", kPythonImage, "true"});
    ASSERT_EQ(by_hand.status, 0) << by_hand.err;
    t["by_hand"].push_back(ms_since(hand_start));
  }
  nlohmann::json out = medians(t);
  out["runs"] = runs, out["unit"] = "ms", out["cluster"] = "single-node test cluster on this machine (idle)";
  if (!before.empty()) out["baseline"] = medians(before), out["baseline"]["binary"] = baseline;
  std::printf("%s\n", out.dump(2).c_str());
  if (const char* path = std::getenv("DLC_BENCH_OUT")) std::ofstream(path) << out.dump(2) << "\n";
}

// Where dlcontainer's own share goes: every srun step `up --slurm` starts (each engine connection is
// one), logged by a wrapper on PATH with its start time and arguments, printed after one run.
TEST(SlurmBench, DISABLED_TheSrunStepsOfOneUp) {
  SlurmCluster cluster;
  DLC_REQUIRE_SLURM(cluster);
  auto ws = cluster.workspace();
  auto bin = ws->path().parent_path() / "bin";
  std::filesystem::create_directories(bin);
  std::string real = run({"sh", "-c", "command -v srun"}).out;
  real = real.substr(0, real.find('\n'));
  auto log = ws->path().parent_path() / "srun.log";
  std::ofstream(bin / "srun") << "#!/bin/sh\necho \"$(date +%s.%N) start $*\" >> " << log.string() << "\n\"" << real
                               << "\" \"$@\"\nrc=$?\necho \"$(date +%s.%N) end $rc\" >> " << log.string() << "\nexit $rc\n";
  std::filesystem::permissions(bin / "srun", std::filesystem::perms::all);
  run({"chmod", "0777", ws->path().parent_path().string()});
  RunOptions path;
  path.env["PATH"] = bin.string() + ":" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  const char* baseline = std::getenv("DLC_BENCH_BASELINE");
  const char* own = std::getenv("DLC_TEST_BINARY");
  const std::string this_build = own ? own : "";
  for (const char* binary : {baseline, own ? own : ""}) {
    if (binary == nullptr) continue;
    ::setenv("DLC_TEST_BINARY", binary, 1);
    std::filesystem::remove(log);
    auto start = std::chrono::system_clock::now();
    auto up = cluster.dlc({"up", ws->str(), "--slurm", "--time", "10"}, path);
    ASSERT_EQ(up.status, 0) << up.err;
    double total = std::chrono::duration<double>(std::chrono::system_clock::now() - start).count();
    std::string steps = run({"cat", log.string()}).out;
    int started = 0;
    for (std::size_t at = steps.find(" start "); at != std::string::npos; at = steps.find(" start ", at + 1)) ++started;
    std::printf("%s: up --slurm %.1f s, %d srun steps\n%s\n%s\n", *binary ? binary : "this build", total, started, up.err.c_str(),
                steps.c_str());
    ASSERT_EQ(cluster.dlc({"down", ws->str()}).status, 0);
  }
  ::setenv("DLC_TEST_BINARY", this_build.c_str(), 1);
}

}  // namespace
}  // namespace dlc::testing
