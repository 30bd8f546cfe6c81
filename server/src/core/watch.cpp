// Engine events for workspace containers: what keeps the status cache true and tells front ends that a
// container started, died or went away.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>

#include "core/status_cache.h"
#include "core/workspace.h"
#include "support/error.h"

namespace dlc::core {

namespace {

// The actions that change what status() reports; exec_* and the like do not, and are not asked for.
const std::vector<std::string> kStatusActions = {"create", "start",   "restart", "die",    "stop",
                                                  "pause",  "unpause", "destroy", "rename", "oom"};

std::int64_t now_nano() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A time as the engine's `since` parameter wants it: seconds with nanoseconds.
std::string engine_time(std::int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

// The state an action leaves a container in; "" for actions that do not change it (rename, oom).
std::string state_after(const std::string& action) {
  if (action == "create") return "created";
  if (action == "start" || action == "restart" || action == "unpause") return "running";
  if (action == "die" || action == "stop") return "exited";
  if (action == "pause") return "paused";
  return "";
}

// The action that tells a watcher a container is now in `state`.
std::string action_into(const std::string& state) {
  if (state == "running") return "start";
  if (state == "created") return "create";
  if (state == "paused") return "pause";
  return "die";  // exited, dead, removing
}

// What the watcher last knew of each workspace container: the engine's list, then its events.
struct Seen {
  std::string workspace;
  std::string state;
};
using SeenMap = std::map<std::string, Seen>;

// Lists the workspace containers and tells, as events, every difference from what was last seen: what
// changed while no subscription was live (the engine restarting, a pause between attempts). The first
// list only sets what is known.
// Returns when it listed.
std::int64_t reconcile(const engine::Engine& engine, SeenMap& seen, bool tell, const std::function<void(const WorkspaceEvent&)>& emit) {
  SeenMap now;
  for (const auto& c : engine.list_containers({{kLocalFolderLabel, ""}})) {
    auto label = c.labels.find(kLocalFolderLabel);
    if (label != c.labels.end()) now[c.id] = Seen{label->second, c.state};
  }
  std::int64_t at = now_nano();
  if (tell) {
    for (const auto& [id, s] : now) {
      auto before = seen.find(id);
      if (before == seen.end() || before->second.state != s.state) emit(WorkspaceEvent{s.workspace, id, action_into(s.state), at});
    }
    for (const auto& [id, s] : seen) {
      if (!now.count(id)) emit(WorkspaceEvent{s.workspace, id, "destroy", at});
    }
  }
  seen = std::move(now);
  return at;
}

}  // namespace

void Workspaces::watch(const std::function<void(const WorkspaceEvent&)>& on_event, const CancelToken& cancel,
                       const std::function<void(const std::string& why)>& on_lost) {
  const std::map<std::string, std::vector<std::string>> filters = {
      {"type", {"container"}}, {"label", {kLocalFolderLabel}}, {"event", kStatusActions}};
  auto emit = [&](const WorkspaceEvent& e) {
    cache_->invalidate(e.workspace);
    if (on_event) on_event(e);
  };
  SeenMap seen;
  bool listed = false;
  auto pause = std::chrono::milliseconds(500);
  while (!cancel.cancelled()) {
    // The time is taken before the cache goes live and before the list, and the subscription replays
    // from it: a change made while it connects still arrives as an event, and one made before it (while
    // the engine was away) shows in the list.
    std::int64_t since = now_nano();
    cache_->go_live();
    std::string why = "the engine closed its event stream";
    auto started = std::chrono::steady_clock::now();
    try {
      std::int64_t listed_at = reconcile(engine_, seen, listed, emit);
      listed = true;
      engine_.events(
          filters,
          [&](const engine::Event& e) {
            // The Dev Containers folder label: on dlcontainer's containers and on other tools' alike.
            auto label = e.attributes.find(kLocalFolderLabel);
            if (label == e.attributes.end()) return;
            std::string state = state_after(e.action);
            auto& known = seen[e.id];
            known.workspace = label->second;
            // A change replayed from before the list, which the list already showed, is not told twice.
            if (e.time_nano <= listed_at && !state.empty() && known.state == state) return;
            if (e.action == "destroy") seen.erase(e.id);
            else if (!state.empty()) known.state = state;
            emit(WorkspaceEvent{label->second, e.id, e.action, e.time_nano});
          },
          cancel, engine_time(since));
    } catch (const Error& e) {
      why = e.what();
    }
    cache_->suspend();
    if (cancel.cancelled()) break;
    if (on_lost) on_lost(why);
    // A subscription that lasted a while was healthy: start the pauses over.
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(60)) pause = std::chrono::milliseconds(500);
    pause_unless_cancelled(pause, cancel);
    pause = std::min(pause * 2, std::chrono::milliseconds(30'000));
  }
}

}  // namespace dlc::core
