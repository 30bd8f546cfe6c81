// Putting dlcontainer-agent into a container, the way DevPod injects its agent: the host's static
// binary copied in with the engine's archive call, no network and no package manager needed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace dlc::services {

// The agent on the host: $DLC_AGENT when set, else dlcontainer-agent beside the running program
// (build/server/ in a build tree, bin/ once installed). Error{Internal} with a hint when missing.
std::filesystem::path agent_binary();

// The agent's bytes and the first 16 hex digits of their SHA-256 (read once per process).
const std::string& agent_bytes();
const std::string& agent_hash();

// Makes sure the container holds this very agent, at agent::kAgentPath, or at
// agent::kFallbackAgentPath where /usr/local cannot be written (mounted read-only from the host, say);
// cheap when it does (a HEAD request for a marker named after the binary's hash). Returns its path in
// the container.
std::string ensure_agent(const engine::Engine& engine, const std::string& container_id);

// The command line that runs the agent at `agent_path` with these arguments.
std::vector<std::string> agent_command(const std::string& agent_path, std::vector<std::string> args);

}  // namespace dlc::services
