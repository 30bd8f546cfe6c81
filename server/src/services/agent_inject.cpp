#include "services/agent_inject.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>

#include "agent/protocol.h"
#include "engine/build_context.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::services {

namespace fs = std::filesystem;

namespace {

struct LoadedAgent {
  std::string bytes;
  std::string hash;  // the markers beside it in the container are named after it
};

const LoadedAgent& loaded_agent() {
  // Read and hashed once per process: a server injects into many containers.
  static std::once_flag once;
  static LoadedAgent agent;
  std::call_once(once, [] {
    auto path = agent_binary();
    std::ifstream in(path, std::ios::binary);
    agent.bytes.assign(std::istreambuf_iterator<char>(in), {});
    if (agent.bytes.empty()) {
      throw Error(ErrorCode::Internal, "cannot read the agent " + path.string(),
                  "rebuild dlcontainer (ninja -C build) or set DLC_AGENT to the dlcontainer-agent binary");
    }
    agent.hash = sha256_hex(agent.bytes).substr(0, 16);
  });
  return agent;
}

}  // namespace

const std::string& agent_bytes() { return loaded_agent().bytes; }
const std::string& agent_hash() { return loaded_agent().hash; }

fs::path agent_binary() {
  if (const char* env = std::getenv("DLC_AGENT"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(self.parent_path() / "dlcontainer-agent");
    candidates.push_back(self.parent_path().parent_path() / "lib" / "dlcontainer" / "dlcontainer-agent");
  }
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) return c;
  }
  throw Error(ErrorCode::Internal, "dlcontainer-agent is not installed beside " + self.string(),
              "build it (ninja -C build dlcontainer-agent) or set DLC_AGENT to its path");
}

std::string ensure_agent(const engine::Engine& engine, const std::string& container_id) {
  const auto& agent = loaded_agent();
  const std::string places[] = {agent::kAgentPath, agent::kFallbackAgentPath};
  for (const auto& path : places) {
    if (engine.path_exists(container_id, path + "." + agent.hash)) return path;
  }
  auto strip = [](const std::string& p) { return p.substr(1); };  // archive paths are relative to /
  std::optional<Error> first;
  for (const auto& path : places) {
    std::string tar = engine::tar_files({
        {.path = strip(path), .content = agent.bytes, .mode = 0755},
        {.path = strip(path + "." + agent.hash), .content = "", .mode = 0644},
    });
    try {
      engine.put_archive(container_id, "/", tar);
      return path;
    } catch (const Error& e) {
      if (!first) first = e;
    }
  }
  throw Error(first->code(), std::string("cannot put dlcontainer's agent into the container: ") + first->what(),
              std::string("neither ") + agent::kAgentPath + " nor " + agent::kFallbackAgentPath +
                  " can be written (a read-only root file system cannot take it)");
}

std::vector<std::string> agent_command(const std::string& agent_path, std::vector<std::string> args) {
  args.insert(args.begin(), agent_path);
  return args;
}

}  // namespace dlc::services
