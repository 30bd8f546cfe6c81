// Running a program on this host (initializeCommand, the engine's compose tool) with its output
// read as it comes, bounded, and stoppable through a CancelToken.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/cancel.h"

namespace dlc {

struct ProcessSpec {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH
  std::string cwd;                         // "" : this process's
  std::map<std::string, std::string> env;  // set over this process's environment
  std::optional<std::string> stdin_data;   // written, then closed; without it stdin is /dev/null
};

struct ProcessResult {
  int status = -1;   // the exit status, or 128 + the signal that ended it
  std::string out;   // what it printed, up to max_collected bytes each (the rest is passed on, not kept)
  std::string err;
  bool truncated = false;
};

// Each complete line (without its '\n') of stdout (is_err false) or stderr, as it arrives.
using LineSink = std::function<void(bool is_err, std::string_view line)>;

// Runs the program and waits for it. Error{PathNotFound} when it cannot be started (not on PATH);
// Error{Cancelled} after it was stopped (TERM to its process group, KILL 5 s later) on cancel.
ProcessResult run_process(const ProcessSpec& spec, const LineSink& on_line = {}, const CancelToken& cancel = {},
                          std::size_t max_collected = 16u << 20);

// Whether a program of this name is on PATH (a name with a '/' is checked as it is).
bool on_path(const std::string& program);

}  // namespace dlc
