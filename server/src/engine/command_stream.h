// A byte stream over a command's stdio: `ssh HOST docker system dial-stdio`, or `srun --jobid J
// --overlap podman system dial-stdio` into a Slurm job. Internal to engine/: ssh.cpp and slurm.cpp
// say which command and how to read its failure; this file runs it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/stream.h"

namespace dlc::engine {

// What a command's error output and exit status mean, as an Error (the transport knows its words).
using CommandFailure = std::function<Error(const std::string& output, int exit_status)>;

// Starts argv with its stdin and stdout on socket pairs (a half close ends what is sent and nothing
// else) and its stderr kept for `explain`, in a session of its own (a terminal's ^C reaches
// dlcontainer, which ends its children in order). A program that is not on PATH exits 127 after
// writing "cannot run PROGRAM: not found" on its stderr.
std::unique_ptr<ByteStream> open_command_stream(const std::vector<std::string>& argv, CommandFailure explain, const Wait& wait);

// fork + exec with the given descriptors as 0, 1, 2; new_session: setsid() in the child.
pid_t spawn_command(const std::vector<std::string>& argv, int in, int out, int err, bool new_session);
// The exit status when the child ends within `limit` (128+signal when killed); nullopt when it still runs.
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds limit);
// TERM, then KILL after 2 s; reaps it.
void end_child(pid_t pid);

}  // namespace dlc::engine
