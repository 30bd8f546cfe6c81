#include "engine/slurm.h"

#include "engine/command_stream.h"

namespace dlc::engine {

namespace {

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// The last line that says something: srun's own closing "task 0: Exited with exit code N" does not.
std::string telling_line(const std::string& text) {
  std::string best;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && !contains(line, "Exited with exit code")) best = line;
    start = end + 1;
  }
  return best;
}

}  // namespace

std::unique_ptr<ByteStream> dial_slurm(const Endpoint& e, const Wait& wait) {
  // --overlap: the step shares the job's resources with the batch step that runs the service.
  // --unbuffered: slurmstepd would otherwise hold output until a newline, and HTTP bodies need not end in one.
  std::vector<std::string> argv = {"srun",    "--jobid=" + e.host, "--overlap",      "--quiet", "--unbuffered",
                                   "--nodes=1", "--ntasks=1",      "--",             "podman",  "--url",
                                   "unix://" + e.socket_path,      "system",         "dial-stdio"};
  return open_command_stream(argv, [e](const std::string& output, int status) { return slurm_failure(e, output, status); }, wait);
}

Error slurm_failure(const Endpoint& e, const std::string& output, int exit_status) {
  const std::string job = "Slurm job " + e.host;
  std::string line = telling_line(output);
  if (contains(output, "cannot run srun: not found")) {
    return Error(ErrorCode::EngineUnavailable, "slurm:// needs Slurm's srun, and it is not on PATH",
                 "run dlcontainer on the cluster's login node, or install slurm-client and its slurm.conf here");
  }
  if (contains(output, "has expired") || contains(output, "already completed") || contains(output, "Invalid job id") ||
      contains(output, "has already finished") || contains(output, "Job/step already completing or completed")) {
    return Error(ErrorCode::EngineUnavailable, job + " has ended, and its engine with it: " + line,
                 "`dlcontainer status` says why; `dlcontainer up --slurm` submits a new job");
  }
  if (contains(output, "execve(): podman")) {
    return Error(ErrorCode::EngineUnavailable, "the node of " + job + " has no podman (srun ran `podman system dial-stdio` there: " + line + ")",
                 "the nodes need Podman on the PATH of jobs (docs/slurm.md)");
  }
  if (contains(output, "Cannot connect to Podman") || contains(output, "unable to connect to Podman")) {
    return Error(ErrorCode::EngineUnavailable, "the Podman service of " + job + " does not answer: " + line,
                 "it may still be starting, or have failed: the job's output file says why");
  }
  return Error(ErrorCode::EngineUnavailable,
               "the connection to " + job + " ended" + (line.empty() ? "" : ": " + line) +
                   (exit_status ? " (exit " + std::to_string(exit_status) + ")" : ""),
               "check that `srun --jobid " + e.host + " --overlap podman info` works");
}

}  // namespace dlc::engine
