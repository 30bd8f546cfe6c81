#include "core/host_steps.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "support/error.h"
#include "support/parallel.h"
#include "support/process.h"

namespace dlc::core {

namespace {

std::string gib(std::int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / static_cast<double>(1LL << 30));
  return buf;
}

std::string this_host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? name : "";
}

}  // namespace

void run_initialize_command(const config::LifecycleCommand& command, const std::string& folder, ProgressSink& progress,
                            const CancelToken& cancel) {
  if (command.empty()) return;
  progress.begin("Running initializeCommand on this host");
  std::mutex out_mu;
  auto run_step = [&](const config::LifecycleCommand::Step& step) {
    const std::string prefix = command.parallel ? "[" + step.name + "] " : "";
    ProcessSpec spec{.argv = step.argv, .cwd = folder};
    auto result = run_process(
        spec,
        [&](bool, std::string_view line) {
          std::lock_guard lock(out_mu);
          progress.output(prefix + std::string(line));
        },
        cancel, 0);
    if (result.status != 0) {
      std::string name = step.name.empty() ? "initializeCommand" : "initializeCommand (" + step.name + ")";
      throw Error(ErrorCode::CommandFailed, "the " + name + " in devcontainer.json failed with exit status " + std::to_string(result.status),
                  "its output is above; it runs on this host, in " + folder + ", before anything else");
    }
  };
  run_each(command.steps.size(), command.parallel, [&](std::size_t i) { run_step(command.steps[i]); });
  progress.end();
}

std::vector<std::string> host_requirement_warnings(const config::HostRequirements& wanted, const engine::SystemInfo& host) {
  std::vector<std::string> out;
  if (wanted.cpus > 0 && host.ncpu > 0 && host.ncpu < wanted.cpus)
    out.push_back("hostRequirements.cpus asks for " + std::to_string(wanted.cpus) + " CPUs; the engine's host has " +
                  std::to_string(host.ncpu));
  if (wanted.memory > 0 && host.mem_total > 0 && host.mem_total < wanted.memory)
    out.push_back("hostRequirements.memory asks for " + gib(wanted.memory) + "; the engine's host has " + gib(host.mem_total));
  if (wanted.storage > 0) {
    // The engine's data root is where images and containers go: measurable only on the same host.
    struct statvfs fs {};
    bool local = !host.name.empty() && host.name == this_host_name() && !host.docker_root_dir.empty() &&
                 ::statvfs(host.docker_root_dir.c_str(), &fs) == 0;
    if (!local) {
      out.push_back("hostRequirements.storage (" + gib(wanted.storage) +
                    ") cannot be checked: the engine's data root is not on this host");
    } else {
      auto free_bytes = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
      if (free_bytes < wanted.storage)
        out.push_back("hostRequirements.storage asks for " + gib(wanted.storage) + "; " + host.docker_root_dir + " has " +
                      gib(free_bytes) + " free");
    }
  }
  return out;
}

}  // namespace dlc::core
