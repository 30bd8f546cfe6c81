// Long work reports through this one interface: the CLI draws it, the RPC front end sends $/progress.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dlc {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // A step of the work begins ("Building image", "Running postCreateCommand").
  virtual void begin(std::string_view title) { (void)title; }
  // Where the current step is; percent when it is known.
  virtual void report(std::string_view message, std::optional<int> percent = std::nullopt) {
    (void)message, (void)percent;
  }
  // A line of output from the work itself (a build step, a lifecycle command).
  virtual void output(std::string_view line) { (void)line; }
  virtual void end(std::string_view message = {}) { (void)message; }
};

// For callers that do not show progress.
inline ProgressSink& no_progress() {
  static ProgressSink sink;
  return sink;
}

}  // namespace dlc
