#include "core/lifecycle_once.h"

#include <cctype>

#include "engine/build_context.h"
#include "services/agent_inject.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::core {

namespace {

// Beside create-time commands' marker (lifecycle.cpp); the files are made by the host, as root, and
// written by the command's user, whoever that is: hence 0666 in a folder only root may add to.
constexpr const char* kStateDir = "/var/lib/dlcontainer/lifecycle";

}  // namespace

RunOnce::RunOnce(const engine::Engine& engine, const std::string& container_id, const std::string& name,
                 const config::LifecycleCommand& command, ProgressSink& progress)
    : name_(name) {
  try {
    std::string agent = services::ensure_agent(engine, container_id);
    std::vector<engine::ArchiveFile> missing;
    for (const auto& step : command.steps) {
      // A state file that exists may be locked by a command still running: it is never replaced.
      if (!engine.path_exists(container_id, state_file(step)))
        missing.push_back({.path = state_file(step).substr(1), .content = "", .mode = 0666});
    }
    if (!missing.empty()) engine.put_archive(container_id, "/", engine::tar_files(missing));
    agent_ = agent;
  } catch (const Error& e) {
    progress.output(std::string("warning: ") + name + " runs without its guard against a second copy: " + e.what());
  }
}

std::string RunOnce::state_file(const config::LifecycleCommand::Step& step) const {
  // A Feature's hook is named after its id ("onCreateCommand of Feature ghcr.io/a/b"): its slashes and
  // spaces must not make folders, so such a name is reduced to safe characters plus a hash of the whole.
  std::string safe;
  for (char c : name_) safe += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  std::string file = std::string(kStateDir) + "/" + safe;
  if (safe != name_) file += "." + sha256_hex(name_).substr(0, 12);
  if (!step.name.empty()) file += "." + sha256_hex(step.name).substr(0, 12);
  // One hook can hold several commands (the image's metadata entries, then devcontainer.json's): each
  // is its own once, told apart by what it runs.
  std::string argv;
  for (const auto& a : step.argv) argv += a + '\0';
  file += "." + sha256_hex(argv).substr(0, 12);
  return file;
}

std::vector<std::string> RunOnce::command_for(const config::LifecycleCommand::Step& step) const {
  if (!agent_) return step.argv;
  std::vector<std::string> argv = services::agent_command(*agent_, {"once", state_file(step), "--"});
  argv.insert(argv.end(), step.argv.begin(), step.argv.end());
  return argv;
}

}  // namespace dlc::core
