#include "core/slurm_job.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "support/error.h"
#include "support/files.h"
#include "support/process.h"

namespace dlc::core {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kDefaultWaitSeconds = 600;

// The job: a rootless Podman API service whose socket is in a folder of the job's own, stopped with its
// containers when Slurm ends the job (scancel, the time limit: TERM first, KillWait before KILL).
// Podman's runtime folder is the user's own when the job got a usable one, else one per user on the
// node that stays the same from job to job: Podman's database pins the first it was given.
constexpr const char* kJobScript = R"SH(#!/bin/sh
# dlcontainer: this job holds a workspace's engine (rootless Podman's API service) while it runs.
uid=$(id -u)
d="/tmp/dlc-slurm-$uid-$SLURM_JOB_ID"
mkdir -m 0700 "$d" || exit 1
if ! command -v podman >/dev/null 2>&1; then
  echo "dlcontainer: no podman on $(hostname) (PATH=$PATH)" >&2
  rm -rf "$d"
  exit 3
fi
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ] || [ ! -O "$XDG_RUNTIME_DIR" ]; then
  export XDG_RUNTIME_DIR="/tmp/dlc-podman-run-$uid"
  mkdir -p -m 0700 "$XDG_RUNTIME_DIR" && [ -O "$XDG_RUNTIME_DIR" ] || { echo "dlcontainer: $XDG_RUNTIME_DIR is not $(id -un)'s" >&2; exit 4; }
fi
echo "dlcontainer: engine on $(hostname) at $d/podman.sock (CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-})"
podman system service --time=0 "unix://$d/podman.sock" &
svc=$!
stop() { podman stop --all --time 2 >/dev/null 2>&1; kill "$svc" 2>/dev/null; }
trap stop TERM INT
wait "$svc"
wait "$svc"
rm -rf "$d" 2>/dev/null
# Rootless Podman's pause process (it holds the user namespace, and ignores TERM) goes with the last
# of this user's engines on the node.
if ! ls -d /tmp/dlc-slurm-"$uid"-* >/dev/null 2>&1 && [ -f "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" ]; then
  kill -KILL "$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid")" 2>/dev/null
fi
exit 0
)SH";

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  std::size_t start = s.find_first_not_of(" \n");
  return start == std::string::npos ? std::string() : s.substr(start);
}

// The last non-empty line of a command's error output.
std::string last_line(const std::string& text) {
  std::string t = trim(text);
  auto nl = t.find_last_of('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

ProcessResult run_slurm(const std::vector<std::string>& argv, std::optional<std::string> input = std::nullopt,
                        std::map<std::string, std::string> env = {}) {
  if (!on_path(argv.front())) {
    throw Error(ErrorCode::EngineUnavailable, "--slurm needs Slurm's " + argv.front() + ", and it is not on PATH",
                "run dlcontainer on the cluster's login node (where sbatch works), or install slurm-client and the "
                "cluster's slurm.conf here (docs/slurm.md)");
  }
  ProcessSpec spec;
  spec.argv = argv;
  spec.stdin_data = std::move(input);
  spec.env = std::move(env);
  return run_process(spec, {}, {}, 1 << 20);
}

void check_value(const char* flag, const std::string& v) {
  if (v.empty()) return;
  bool bad = v.size() > 128 || v.front() == '-' ||
             std::any_of(v.begin(), v.end(), [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\0' || c == '\r'; });
  if (bad) {
    throw Error(ErrorCode::InvalidArgument, std::string("the Slurm value ") + flag + "=\"" + v + "\" cannot be passed to sbatch",
                "give one word as sbatch takes it, e.g. --partition gpu, --mem 16G, --time 2:00:00");
  }
}

Error sbatch_refused(const SlurmRequest& r, const std::string& err) {
  std::string line = last_line(err);
  if (err.find("invalid partition") != std::string::npos || err.find("Invalid partition") != std::string::npos) {
    return Error(ErrorCode::InvalidArgument, "Slurm has no partition \"" + r.partition + "\": " + line,
                 "`sinfo -s` lists the partitions; give one with --partition (or slurm.partition in devcontainer.json)");
  }
  if (err.find("Invalid account") != std::string::npos) {
    return Error(ErrorCode::InvalidArgument, "Slurm refused the account \"" + r.account + "\": " + line,
                 "`sacctmgr show assoc user=$USER` lists yours");
  }
  return Error(ErrorCode::InvalidArgument, "sbatch refused the job: " + line,
               "the words are Slurm's; change --partition, --slurm-gpus, --cpus, --mem, --time or --account accordingly");
}

}  // namespace

void SlurmRequest::fill_from(const SlurmRequest& o) {
  for (auto [mine, theirs] : {std::pair{&partition, &o.partition}, {&gpus, &o.gpus}, {&cpus, &o.cpus}, {&mem, &o.mem},
                              {&time, &o.time}, {&account, &o.account}}) {
    if (mine->empty()) *mine = *theirs;
  }
  if (wait_seconds == 0) wait_seconds = o.wait_seconds;
}

bool SlurmRequest::any_field() const {
  return !partition.empty() || !gpus.empty() || !cpus.empty() || !mem.empty() || !time.empty() || !account.empty() ||
         wait_seconds != 0;
}

void SlurmRequest::validate() const {
  check_value("partition", partition);
  check_value("gpus", gpus);
  check_value("cpus", cpus);
  check_value("mem", mem);
  check_value("time", time);
  check_value("account", account);
  if (wait_seconds < 0 || wait_seconds > 7 * 24 * 3600) {
    throw Error(ErrorCode::InvalidArgument, "the Slurm wait of " + std::to_string(wait_seconds) + " s is out of range",
                "give a number of seconds from 1 to a week (0 : the default, 600)");
  }
}

void to_json(json& j, const SlurmRequest& r) {
  j = json::object();
  for (auto [k, v] : {std::pair{"partition", &r.partition}, {"gpus", &r.gpus}, {"cpus", &r.cpus}, {"mem", &r.mem},
                      {"time", &r.time}, {"account", &r.account}}) {
    if (!v->empty()) j[k] = *v;
  }
  if (r.wait_seconds) j["waitSeconds"] = r.wait_seconds;
}

void from_json(const json& j, SlurmRequest& r) {
  if (!j.is_object()) throw Error(ErrorCode::InvalidArgument, "slurm must be an object", "write e.g. {\"partition\": \"gpu\", \"gpus\": \"1\"}");
  static const char* known[] = {"partition", "gpus", "cpus", "mem", "time", "account", "waitSeconds"};
  for (const auto& [k, v] : j.items()) {
    if (std::find(std::begin(known), std::end(known), k) == std::end(known)) {
      throw Error(ErrorCode::InvalidArgument, "slurm." + k + " is not a setting dlcontainer knows",
                  "use partition, gpus, cpus, mem, time, account or waitSeconds");
    }
    if (k == "waitSeconds") {
      if (!v.is_number_integer()) throw Error(ErrorCode::InvalidArgument, "slurm.waitSeconds must be a whole number of seconds");
      r.wait_seconds = v.get<int>();
      continue;
    }
    std::string s = v.is_string() ? v.get<std::string>() : v.is_number_integer() ? std::to_string(v.get<long long>()) : "";
    if (s.empty()) throw Error(ErrorCode::InvalidArgument, "slurm." + k + " must be a string or a whole number");
    if (k == "partition") r.partition = s;
    else if (k == "gpus") r.gpus = s;
    else if (k == "cpus") r.cpus = s;
    else if (k == "mem") r.mem = s;
    else if (k == "time") r.time = s;
    else r.account = s;
  }
  r.enabled = true;
}

std::string slurm_engine_socket(const std::string& job_id) {
  return "/tmp/dlc-slurm-" + std::to_string(::getuid()) + "-" + job_id + "/podman.sock";
}

std::string submit_engine_job(const SlurmRequest& r, const std::string& name, const std::string& output) {
  r.validate();
  std::vector<std::string> argv = {"sbatch", "--parsable", "--job-name=" + name, "--output=" + output};
  if (!r.partition.empty()) argv.push_back("--partition=" + r.partition);
  if (!r.gpus.empty()) argv.push_back("--gres=gpu:" + r.gpus);
  if (!r.cpus.empty()) argv.push_back("--cpus-per-task=" + r.cpus);
  if (!r.mem.empty()) argv.push_back("--mem=" + r.mem);
  if (!r.time.empty()) argv.push_back("--time=" + r.time);
  if (!r.account.empty()) argv.push_back("--account=" + r.account);
  auto result = run_slurm(argv, std::string(kJobScript));
  if (result.status != 0) throw sbatch_refused(r, result.err + result.out);
  // --parsable: "ID" or "ID;CLUSTER".
  std::string id = trim(result.out.substr(0, result.out.find(';')));
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    throw Error(ErrorCode::Internal, "sbatch printed no job id: " + last_line(result.out), "run sbatch --parsable by hand to see why");
  }
  return id;
}

SlurmJobInfo slurm_job_info(const std::string& job_id) {
  SlurmJobInfo info;
  info.job_id = job_id;
  auto r = run_slurm({"squeue", "--noheader", "--states=all", "--jobs=" + job_id, "--format=%T|%r|%N|%L|%P"});
  std::string line = trim(r.out);
  if (r.status != 0 || line.empty()) {
    // Slurm forgets a finished job after MinJobAge (squeue: "Invalid job id specified").
    if (r.status != 0 && r.err.find("Invalid job id") == std::string::npos) {
      throw Error(ErrorCode::EngineUnavailable, "squeue cannot say what became of Slurm job " + job_id + ": " + last_line(r.err),
                  "check that `squeue` works here (slurmctld reachable)");
    }
    info.state = "GONE";
    info.reason = "Slurm no longer lists the job (it ended)";
    return info;
  }
  std::vector<std::string> f;
  std::size_t start = 0;
  for (std::size_t bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1) f.push_back(line.substr(start, bar - start));
  f.push_back(line.substr(start, line.find('\n', start) - start));
  f.resize(5);
  info.state = f[0], info.reason = f[1], info.node = f[2], info.time_left = f[3], info.partition = f[4];
  if (info.node == "(null)" || info.node == "n/a") info.node.clear();
  // Past its time limit Slurm still lists a job as RUNNING for up to half a minute (limits are
  // enforced periodically) while srun already refuses it a step as "completing": say so.
  if (info.state == "RUNNING" && info.time_left == "INVALID") info.state = "COMPLETING", info.reason = "TimeLimit";
  return info;
}

std::string job_output_tail(const std::string& output, const std::string& job_id) {
  std::string path = output;
  if (auto at = path.find("%j"); at != std::string::npos) path.replace(at, 2, job_id);
  std::string text = read_file(path, 1 << 20).value_or("");
  if (text.size() > 600) text = text.substr(text.size() - 600);
  return trim(text);
}

std::map<std::string, std::string> slurm_gpu_environment(const std::string& job_id) {
  // The step shares the job's GPUs (--overlap; a step gets the job's GRES unless it asks otherwise).
  // srun passes this process's environment on: a value of the login node's (an salloc shell's) must not
  // pass for the job's. Emptied here, they hold only what slurmstepd sets for the step.
  auto r = run_slurm({"srun", "--jobid=" + job_id, "--overlap", "--quiet", "--nodes=1", "--ntasks=1", "--", "printenv"}, std::nullopt,
                     {{"CUDA_VISIBLE_DEVICES", ""}, {"SLURM_JOB_GPUS", ""}, {"SLURM_STEP_GPUS", ""}});
  if (r.status != 0) {
    throw Error(ErrorCode::EngineUnavailable, "cannot read which GPUs Slurm job " + job_id + " was given: " + last_line(r.err),
                "`srun --jobid " + job_id + " --overlap printenv SLURM_JOB_GPUS` shows it; `dlcontainer status` says whether the job runs");
  }
  std::map<std::string, std::string> env;
  std::size_t start = 0;
  while (start < r.out.size()) {
    std::size_t end = r.out.find('\n', start);
    if (end == std::string::npos) end = r.out.size();
    std::string line = r.out.substr(start, end - start);
    start = end + 1;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    if (key == "SLURM_STEP_GPUS" || key == "SLURM_JOB_GPUS" || key == "CUDA_VISIBLE_DEVICES") env[key] = line.substr(eq + 1);
  }
  return env;
}

void cancel_slurm_job(const std::string& job_id) {
  auto r = run_slurm({"scancel", job_id});
  if (r.status != 0 && r.err.find("Invalid job id") == std::string::npos && r.err.find("already complet") == std::string::npos) {
    throw Error(ErrorCode::EngineUnavailable, "scancel " + job_id + " failed: " + last_line(r.err),
                "cancel it by hand: scancel " + job_id);
  }
  auto until = Clock::now() + 30s;
  while (Clock::now() < until) {
    auto info = slurm_job_info(job_id);
    if (!info.running() && !info.waiting() && info.state != "COMPLETING") return;
    std::this_thread::sleep_for(200ms);
  }
  throw Error(ErrorCode::EngineUnavailable, "Slurm job " + job_id + " did not end within 30 s of scancel",
              "`squeue -j " + job_id + "` shows it; the node may be unresponsive");
}

SlurmJobInfo wait_for_job(const std::string& job_id, const SlurmRequest& request, const std::string& output,
                          ProgressSink& progress, const CancelToken& cancel) {
  int limit = request.wait_seconds > 0 ? request.wait_seconds : kDefaultWaitSeconds;
  auto until = Clock::now() + std::chrono::seconds(limit);
  std::string said;
  auto pause = 100ms;
  for (;;) {
    auto info = slurm_job_info(job_id);
    if (info.running()) {
      progress.output("Slurm job " + job_id + " running on " + info.node);
      return info;
    }
    if (!info.waiting()) {
      std::string tail = job_output_tail(output, job_id);
      std::string hint = tail.find("no podman") != std::string::npos
                             ? "the nodes need Podman on the PATH of jobs, with subordinate ids for your user (docs/slurm.md)"
                             : "the job's output is in " + output + "; `scontrol show job " + job_id + "` says more";
      throw Error(ErrorCode::EngineUnavailable,
                  "Slurm job " + job_id + " ended before its engine started: " + info.state + " (" + info.reason + ")" +
                      (tail.empty() ? "" : ": " + last_line(tail)),
                  hint);
    }
    std::string now = "Slurm job " + job_id + " pending (" + info.reason + ")";
    if (now != said) progress.output(now), said = now;  // each change a line: it matters in a log too
    if (Clock::now() >= until || cancel.cancelled()) {
      cancel_slurm_job(job_id);
      if (cancel.cancelled()) throw Error(ErrorCode::Cancelled, "cancelled while Slurm job " + job_id + " was pending; the job is cancelled");
      throw Error(ErrorCode::EngineUnavailable,
                  "Slurm job " + job_id + " was still pending after " + std::to_string(limit) + " s (Slurm's reason: " + info.reason +
                      "); it is cancelled",
                  "`sinfo -p " + (info.partition.empty() ? std::string("PARTITION") : info.partition) +
                      "` shows the partition's nodes; ask for less (--slurm-gpus, --time), or wait longer with --slurm-wait SECONDS");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace dlc::core
