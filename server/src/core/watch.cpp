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

// Now, as the engine's `since` parameter wants it: seconds with nanoseconds.
std::string unix_now() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

}  // namespace

void Workspaces::watch(const std::function<void(const WorkspaceEvent&)>& on_event, const CancelToken& cancel,
                       const std::function<void(const std::string& why)>& on_lost) {
  const std::map<std::string, std::vector<std::string>> filters = {
      {"type", {"container"}}, {"label", {kLocalFolderLabel}}, {"event", kStatusActions}};
  auto pause = std::chrono::milliseconds(500);
  while (!cancel.cancelled()) {
    // The time is taken before the cache goes live, and the subscription replays from it: a change
    // made while it connects still arrives as an event.
    std::string since = unix_now();
    cache_->go_live();
    std::string why = "the engine closed its event stream";
    auto started = std::chrono::steady_clock::now();
    try {
      engine_.events(
          filters,
          [&](const engine::Event& e) {
            // The Dev Containers folder label: on dlcontainer's containers and on other tools' alike.
            auto label = e.attributes.find(kLocalFolderLabel);
            if (label == e.attributes.end()) return;
            cache_->invalidate(label->second);
            if (on_event) on_event(WorkspaceEvent{label->second, e.id, e.action, e.time_nano});
          },
          cancel, since);
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
