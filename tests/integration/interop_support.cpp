#include "integration/interop_support.h"

#include <algorithm>
#include <cstdlib>

namespace dlc::testing {

using json = nlohmann::json;

std::string reference_cli() { return std::string(DLC_SOURCE_DIR) + "/tests/node/node_modules/@devcontainers/cli/devcontainer.js"; }

bool reference_available() { return std::filesystem::exists(reference_cli()); }

bool interop_full() {
  const char* v = std::getenv("DLC_INTEROP_FULL");
  return v && std::string(v) == "1";
}

RunResult reference(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"node", reference_cli()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o;
  o.env["NO_COLOR"] = "1";
  return run(argv, o);
}

json last_json_line(const std::string& out) {
  auto end = out.find_last_not_of('\n');
  if (end == std::string::npos) return nullptr;
  auto start = out.rfind('\n', end);
  return json::parse(out.substr(start == std::string::npos ? 0 : start + 1, end + 1), nullptr, false);
}

RunResult Twin::ref_up(std::vector<std::string> extra) const {
  std::vector<std::string> args{"up", "--workspace-folder", ref_.str()};
  args.insert(args.end(), extra.begin(), extra.end());
  return reference(args);
}

RunResult Twin::our_up(std::vector<std::string> extra) const {
  std::vector<std::string> args{"up", ours_.str(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return dlc(args);
}

RunResult Twin::ref_exec(const std::string& script) const {
  return reference({"exec", "--workspace-folder", ref_.str(), "sh", "-c", script});
}

RunResult Twin::our_exec(const std::string& script) const { return dlc({"exec", "-w", ours_.str(), "--", "sh", "-c", script}); }

json container_facts(const engine::Engine& engine, const std::string& id, const Workspace& ws) {
  auto info = engine.inspect_container(id);
  if (!info) return nullptr;
  auto own = [&](std::string s) {
    for (const auto& path : {ws.str(), std::filesystem::weakly_canonical(ws.path()).string()}) {
      for (std::size_t at; (at = s.find(path)) != std::string::npos;) s.replace(at, path.size(), "<ws>");
    }
    return s;
  };
  json mounts = json::array();
  for (const auto& m : info->mounts) {
    // An anonymous volume's name is the engine's choice; a bind's source is the folder's.
    mounts.push_back({{"type", m.type}, {"target", m.target}, {"source", m.type == "bind" ? own(m.source) : ""}, {"readOnly", m.read_only}});
  }
  std::sort(mounts.begin(), mounts.end());
  std::vector<std::string> env = info->env, caps;
  // The docker CLI writes capabilities as CAP_X, the Engine API takes X as well: one capability.
  for (auto c : info->cap_add) caps.push_back(c.rfind("CAP_", 0) == 0 ? c.substr(4) : c);
  std::sort(env.begin(), env.end());
  std::sort(caps.begin(), caps.end());
  auto label = [&](const char* key) {
    auto it = info->labels.find(key);
    return it == info->labels.end() ? std::string() : own(it->second);
  };
  // "" and "root" are one user: the reference's uid layer says USER root where the image said nothing.
  return {{"user", info->user.empty() ? "root" : info->user},
          {"env", env},
          {"mounts", mounts},
          {"capAdd", caps},
          {"localFolder", label("devcontainer.local_folder")},
          {"configFile", label("devcontainer.config_file")},
          {"metadata", json::parse(label("devcontainer.metadata"), nullptr, false)}};
}

}  // namespace dlc::testing
