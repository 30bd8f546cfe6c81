#include "core/slurm_watch.h"

#include <map>

#include "core/slurm_placement.h"
#include "support/error.h"

namespace dlc::core {

namespace {

bool live(const std::string& state) { return state == "RUNNING" || state == "PENDING" || state == "CONFIGURING" || state == "REQUEUED"; }

struct Known {
  std::string job_id;
  bool live = false;
};

}  // namespace

void watch_slurm_jobs(const std::function<void(const std::string& workspace)>& on_ended, const CancelToken& cancel,
                      std::chrono::milliseconds period) {
  std::map<std::string, Known> known;  // by workspace: what this watcher saw last
  while (!cancel.cancelled()) {
    std::map<std::string, Known> now;
    for (const auto& record : list_slurm_records()) {
      if (cancel.cancelled()) return;
      auto before = known.find(record.workspace);
      bool seen = before != known.end() && before->second.job_id == record.job_id;
      // Live as far as anyone knew: seen so here, or, for a job not seen yet, so recorded by the last
      // command that asked Slurm (an `up` before this server started). An ended job is not asked again.
      bool was_live = seen ? before->second.live : live(record.last_state);
      if (!was_live) {
        now[record.workspace] = Known{record.job_id, false};
        continue;
      }
      std::string state;
      try {
        // Through the placement, which keeps Slurm's last word in the record (status reads it there
        // once Slurm forgets the job), so that the end is told once.
        auto placement = slurm_placement(record.workspace, {});
        placement->current();
        auto allocation = placement->allocation();
        state = allocation ? allocation->state : "GONE";
      } catch (const Error&) {
        // squeue failing (slurmctld away) says nothing about the job: asked again next time.
        if (before != known.end()) now[record.workspace] = before->second;
        continue;
      }
      now[record.workspace] = Known{record.job_id, live(state)};
      if (!live(state) && on_ended) on_ended(record.workspace);
    }
    known = std::move(now);
    pause_unless_cancelled(period, cancel);
  }
}

}  // namespace dlc::core
