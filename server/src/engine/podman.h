// Which local engine: Docker's socket, or Podman's Docker-compatible one (rootful at
// /run/podman/podman.sock, rootless at $XDG_RUNTIME_DIR/podman/podman.sock). Podman is taken when
// asked for (--engine podman, DLC_ENGINE=podman) or when no Docker socket is there and a Podman one is.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "engine/engine.h"
#include "engine/http.h"

namespace dlc::engine {

// What the choice depends on, read from the environment by local_engine_env(); tests fill it in.
struct LocalEngineEnv {
  std::string engine;          // DLC_ENGINE: "docker", "podman" or "" (auto)
  std::string docker_host;     // DOCKER_HOST
  std::string container_host;  // CONTAINER_HOST, Podman's own variable for its socket
  std::string xdg_runtime_dir;
  uid_t uid = 0;
  std::string docker_socket = "/var/run/docker.sock";
  std::string podman_rootful_socket = "/run/podman/podman.sock";
};
LocalEngineEnv local_engine_env();

// Podman's sockets for this user, the one it would use first: rootless ($XDG_RUNTIME_DIR) for a user,
// then the rootful one (reachable by a user only if given access to it).
std::vector<std::string> podman_sockets(const LocalEngineEnv& env);

// The chosen socket and what is expected to answer there ("docker" or "podman").
struct LocalEngine {
  Endpoint endpoint;
  std::string kind = "docker";
};
// Chooses. A Podman asked for whose socket is absent gives the socket it would use, so that
// connecting fails with Podman's fix. Error{InvalidArgument} for an engine other than docker or podman.
LocalEngine choose_local_endpoint(const LocalEngineEnv& env);

// Whether a socket that cannot be reached is to be explained as Podman's: Podman was asked for
// (DLC_ENGINE=podman) or the socket is named as Podman names its own (podman.sock).
bool podman_expected(const std::string& socket_path);

// What the daemon says it is: Podman's compatible API sends Libpod-Api-Version with every answer,
// whatever chose the socket (DOCKER_HOST may point at Podman too); its /info says Rootless.
struct PodmanFacts {
  bool podman = false;
  bool rootless = false;  // the container's root is the user who runs Podman
};
PodmanFacts podman_facts(const Engine& engine);

// Creates a container in a user-namespace mode (HostConfig.UsernsMode: "keep-id" on rootless Podman),
// otherwise exactly as Engine::create_container.
std::string create_container(const Engine& engine, const ContainerSpec& spec, const std::string& userns_mode);

// The hint for a Podman socket nothing listens on: how to start Podman's API service there.
std::string podman_start_hint(const std::string& socket_path);

}  // namespace dlc::engine
