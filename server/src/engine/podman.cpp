#include "engine/podman.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "support/error.h"

namespace dlc::engine {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

LocalEngine podman_at(const std::string& path) {
  Endpoint e;
  e.socket_path = path;
  e.kind = "podman";
  e.origin = "Podman's socket";
  return {e, "podman"};
}

}  // namespace

LocalEngineEnv local_engine_env() {
  LocalEngineEnv env;
  env.engine = env_or_empty("DLC_ENGINE");
  env.docker_host = env_or_empty("DOCKER_HOST");
  env.container_host = env_or_empty("CONTAINER_HOST");
  env.xdg_runtime_dir = env_or_empty("XDG_RUNTIME_DIR");
  env.uid = ::getuid();
  return env;
}

std::vector<std::string> podman_sockets(const LocalEngineEnv& env) {
  std::vector<std::string> out;
  if (env.uid != 0) {
    // Podman itself falls back to /run/user/UID when XDG_RUNTIME_DIR is unset.
    std::string runtime = !env.xdg_runtime_dir.empty() ? env.xdg_runtime_dir : "/run/user/" + std::to_string(env.uid);
    out.push_back(runtime + "/podman/podman.sock");
  }
  out.push_back(env.podman_rootful_socket);
  return out;
}

LocalEngine choose_local_endpoint(const LocalEngineEnv& env) {
  if (env.engine == "podman") {
    // Podman's own variable first; DOCKER_HOST may point at a Docker daemon beside it.
    if (!env.container_host.empty()) {
      Endpoint e = Endpoint::parse(env.container_host, "CONTAINER_HOST");
      e.kind = "podman";
      return {e, "podman"};
    }
    auto sockets = podman_sockets(env);
    for (const auto& s : sockets) {
      if (is_socket(s)) return podman_at(s);
    }
    return podman_at(sockets.front());  // connecting says how to start it
  }
  if (!env.engine.empty() && env.engine != "docker") {
    throw Error(ErrorCode::InvalidArgument, "unknown engine \"" + env.engine + "\" (from --engine or DLC_ENGINE)",
                "use docker or podman, or leave it unset to take whichever runs");
  }
  if (!env.docker_host.empty()) return {Endpoint::parse(env.docker_host, "DOCKER_HOST"), "docker"};
  Endpoint docker;
  docker.socket_path = env.docker_socket;
  if (env.engine == "docker" || is_socket(env.docker_socket)) return {docker, "docker"};
  for (const auto& s : podman_sockets(env)) {
    if (is_socket(s)) return podman_at(s);
  }
  return {docker, "docker"};
}

bool podman_expected(const std::string& socket_path) {
  return env_or_empty("DLC_ENGINE") == "podman" || socket_path.ends_with("/podman.sock");
}

PodmanFacts podman_facts(const Engine& engine) {
  PodmanFacts f;
  {
    Connection c(engine.endpoint(), {}, Connection::Reuse::Yes);
    f.podman = !c.request("GET", "/_ping").header("Libpod-Api-Version").empty();
  }
  if (!f.podman) return f;
  Connection c(engine.endpoint(), {}, Connection::Reuse::Yes);
  auto r = c.request("GET", "/v" + engine.api_version() + "/info");
  check(r, "reading Podman's info");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object()) {
    if (auto rootless = j.find("Rootless"); rootless != j.end() && rootless->is_boolean()) f.rootless = rootless->get<bool>();
  }
  return f;
}

std::string podman_start_hint(const std::string& socket_path) {
  if (socket_path.starts_with("/run/podman/")) {
    return "start Podman's API service: sudo systemctl enable --now podman.socket (or run: sudo podman system service "
           "--time=0 unix://" + socket_path + " &)";
  }
  return "start Podman's API service for your user: systemctl --user enable --now podman.socket (or run: podman "
         "system service --time=0 unix://" + socket_path + " &)";
}

}  // namespace dlc::engine
