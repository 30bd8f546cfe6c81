#include "core/slurm_placement.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/plan.h"
#include "support/error.h"
#include "support/files.h"
#include "support/hash.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto kEngineStartLimit = 120s;  // from RUNNING until the job's Podman answers

// The folder of records, not made: reading (every status, exec, down) must not write.
fs::path records_dir() { return xdg_dir("XDG_STATE_HOME", ".local/state") / "dlcontainer" / "slurm"; }

engine::Endpoint endpoint_of(const SlurmRecord& r) {
  auto e = engine::Endpoint::parse("slurm://" + r.job_id + r.socket, "the Slurm job recorded for " + r.workspace);
  return e;
}

Allocation allocation_of(const SlurmJobInfo& info) {
  return Allocation{.job_id = info.job_id, .state = info.state, .reason = info.reason, .node = info.node,
                    .time_left = info.time_left, .partition = info.partition};
}

// Until the job's Podman answers through srun: it starts after the job does. A job that ends meanwhile
// (no podman on the node) is said with its own words.
void wait_for_engine(const SlurmRecord& r, ProgressSink& progress, const CancelToken& cancel) {
  progress.report("starting Podman in Slurm job " + r.job_id);
  auto started = std::chrono::steady_clock::now();
  auto until = std::chrono::steady_clock::now() + kEngineStartLimit;
  for (auto pause = 200ms;; pause = std::min(pause * 2, std::chrono::milliseconds(2000))) {
    cancel.throw_if_cancelled();
    std::string why;
    try {
      engine::Engine::connect(endpoint_of(r));
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
      progress.output("Podman answers in Slurm job " + r.job_id + " (after " + std::to_string(ms) + " ms)");
      return;
    } catch (const Error& e) {
      why = e.what();
    }
    auto info = slurm_job_info(r.job_id);
    if (!info.running()) {
      std::string tail = job_output_tail(r.output, r.job_id);
      bool no_podman = tail.find("no podman") != std::string::npos;
      throw Error(ErrorCode::EngineUnavailable,
                  "Slurm job " + r.job_id + " ended before its Podman answered: " + info.state + " (" + info.reason + ")" +
                      (tail.empty() ? "" : ": " + tail.substr(tail.find_last_of('\n') == std::string::npos ? 0 : tail.find_last_of('\n') + 1)),
                  no_podman ? "the nodes need Podman on the PATH of jobs, with subordinate ids for your user (docs/slurm.md)"
                            : "the job's output is in " + r.output);
    }
    if (std::chrono::steady_clock::now() >= until) {
      throw Error(ErrorCode::EngineUnavailable, "the Podman service of Slurm job " + r.job_id + " did not answer within " +
                      std::to_string(kEngineStartLimit.count()) + " s: " + why,
                  "the job's output is in " + r.output + "; `srun --jobid " + r.job_id + " --overlap podman info` shows Podman's state");
    }
    std::this_thread::sleep_for(pause);
  }
}

class SlurmPlacement : public Placement {
 public:
  SlurmPlacement(std::string workspace, SlurmRequest request)
      : workspace_(std::move(workspace)), request_(std::move(request)), record_(load_slurm_record(workspace_)) {}

  engine::Endpoint acquire(ProgressSink& progress, const CancelToken& cancel) override {
    if (record_) {
      info_ = slurm_job_info(record_->job_id);
      if (info_->waiting()) info_ = wait_for_job(record_->job_id, request_, record_->output, progress, cancel);
      if (info_->running()) {
        progress.output("Slurm job " + record_->job_id + " (recorded for this workspace) runs on " + info_->node + ": reused" +
                        (request_.any_field() ? ", with the resources it was first given" : ""));
        remember(*info_);
        wait_for_engine(*record_, progress, cancel);
        return endpoint_of(*record_);
      }
      // That job ended: a new one, below.
      remove_slurm_record(workspace_);
      record_.reset();
    }
    return submit(progress, cancel);
  }
  bool started_now() const override { return started_now_; }

  std::optional<engine::Endpoint> current() override {
    if (!record_) return std::nullopt;
    info_ = slurm_job_info(record_->job_id);
    remember(*info_);
    if (!info_->running()) return std::nullopt;
    return endpoint_of(*record_);
  }

  std::optional<Allocation> allocation() override {
    if (!record_) return std::nullopt;
    if (!info_) info_ = slurm_job_info(record_->job_id);
    Allocation a = allocation_of(*info_);
    if (info_->state == "GONE" && !record_->last_state.empty()) {
      // Slurm forgot the job; the record still says how it ended.
      a.state = record_->last_state;
      a.reason = record_->last_reason + " (Slurm no longer lists the job)";
      a.node = record_->node;
    }
    return a;
  }

  void release() override {
    if (!record_) return;
    cancel_slurm_job(record_->job_id);
    info_ = slurm_job_info(record_->job_id);
    remove_slurm_record(workspace_);
  }

 private:
  engine::Endpoint submit(ProgressSink& progress, const CancelToken& cancel) {
    if (!request_.enabled) {
      throw Error(ErrorCode::ContainerNotFound, "no Slurm job is recorded for " + workspace_, "`dlcontainer up --slurm` submits one");
    }
    std::string name = "dlc-" + fs::path(workspace_).filename().string();
    std::string output = (slurm_state_dir() / (sha256_hex(workspace_).substr(0, 16) + "-%j.out")).string();
    progress.begin("Submitting the workspace's Slurm job");
    SlurmRecord r{.workspace = workspace_, .output = output};
    r.job_id = submit_engine_job(request_, name, output);
    progress.output("Slurm job " + r.job_id + " submitted");
    r.socket = slurm_engine_socket(r.job_id);
    started_now_ = true;
    // Recorded before the wait: an interrupted up leaves a job that `down` still finds and cancels.
    save_slurm_record(r);
    record_ = r;
    try {
      info_ = wait_for_job(r.job_id, request_, output, progress, cancel);
      remember(*info_);
      wait_for_engine(r, progress, cancel);
    } catch (...) {
      try {
        cancel_slurm_job(r.job_id);
      } catch (const Error&) {
      }
      remove_slurm_record(workspace_);
      record_.reset();
      throw;
    }
    progress.end();
    return endpoint_of(r);
  }

  // The last state Slurm gave, kept for when it forgets the job.
  void remember(const SlurmJobInfo& info) {
    if (!record_ || info.state == "GONE") return;
    if (record_->last_state == info.state && record_->last_reason == info.reason && record_->node == info.node) return;
    record_->last_state = info.state, record_->last_reason = info.reason, record_->node = info.node;
    save_slurm_record(*record_);
  }

  std::string workspace_;
  SlurmRequest request_;
  std::optional<SlurmRecord> record_;
  std::optional<SlurmJobInfo> info_;
  bool started_now_ = false;
};

}  // namespace

fs::path slurm_state_dir() {
  fs::path dir = records_dir();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::Internal, "cannot make " + dir.string() + ": " + ec.message(), "set XDG_STATE_HOME to a writable folder");
  ::chmod(dir.c_str(), 0700);
  return dir;
}

fs::path slurm_record_path(const std::string& workspace) { return records_dir() / (sha256_hex(workspace).substr(0, 16) + ".json"); }

std::optional<SlurmRecord> load_slurm_record(const std::string& workspace) {
  auto text = read_file(slurm_record_path(workspace).string(), 64 << 10);
  if (!text) return std::nullopt;
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object() || j.value("workspace", "") != workspace || j.value("jobId", "").empty()) return std::nullopt;
  SlurmRecord r{.workspace = workspace, .job_id = j.value("jobId", ""), .socket = j.value("socket", ""), .output = j.value("output", ""),
                .last_state = j.value("lastState", ""), .last_reason = j.value("lastReason", ""), .node = j.value("node", "")};
  if (r.job_id.find_first_not_of("0123456789") != std::string::npos || r.socket.empty() || r.socket.front() != '/') return std::nullopt;
  return r;
}

void save_slurm_record(const SlurmRecord& r) {
  slurm_state_dir();  // made when first needed
  json j = {{"workspace", r.workspace}, {"jobId", r.job_id}, {"socket", r.socket},       {"output", r.output},
            {"lastState", r.last_state}, {"lastReason", r.last_reason}, {"node", r.node}};
  if (!write_file_atomically(slurm_record_path(r.workspace).string(), j.dump(2) + "\n", 0600)) {
    throw Error(ErrorCode::Internal, "cannot write " + slurm_record_path(r.workspace).string(), "check that " + slurm_state_dir().string() + " is writable");
  }
}

void remove_slurm_record(const std::string& workspace) {
  std::error_code ec;
  fs::remove(slurm_record_path(workspace), ec);
}

std::vector<SlurmRecord> list_slurm_records() {
  std::vector<SlurmRecord> out;
  std::error_code ec;
  int seen = 0;
  for (fs::directory_iterator it(records_dir(), ec), end; !ec && it != end && seen < 256; it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    ++seen;
    auto text = read_file(it->path().string(), 64 << 10);
    if (!text) continue;
    json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("workspace") || !j["workspace"].is_string()) continue;
    // Through load_slurm_record, which checks the record is the one its folder's key names.
    if (auto r = load_slurm_record(j["workspace"].get<std::string>())) out.push_back(*r);
  }
  return out;
}

std::unique_ptr<Placement> slurm_placement(const std::string& workspace, const SlurmRequest& request) {
  return std::make_unique<SlurmPlacement>(workspace, request);
}

}  // namespace dlc::core
