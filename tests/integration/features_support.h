// What the Features tests share: cleanup of the images and volumes Features made, free loopback
// ports, and a local OCI registry (Debian's docker-registry behind an anonymous token service) that
// the reference CLI publishes Features to.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "integration/support.h"

namespace dlc::testing {

// A port on 127.0.0.1 that nothing listens on now.
int free_loopback_port();

// On destruction: removes the workspace's containers (dlcontainer's and the reference CLI's, by the Dev
// Containers label), the images made for it (features and uid layers; the reference's vsc-* images),
// and the named volumes given.
class FeatureImages {
 public:
  FeatureImages(const engine::Engine& engine, const Workspace& ws, std::vector<std::string> volumes = {})
      : engine_(engine), folder_(ws.str()), volumes_(std::move(volumes)) {}
  ~FeatureImages();
  FeatureImages(const FeatureImages&) = delete;

 private:
  const engine::Engine& engine_;
  std::string folder_;
  std::vector<std::string> volumes_;
};

// docker-registry on a free 127.0.0.1 port with its own storage and config, requiring Bearer tokens
// from a token service (tests/features/token-server.mjs) that gives them to anyone. Stopped, and its
// folder removed, on destruction.
class LocalRegistry {
 public:
  // why: set when it cannot start (docker-registry, node or openssl missing).
  explicit LocalRegistry(std::string* why);
  ~LocalRegistry();
  LocalRegistry(const LocalRegistry&) = delete;

  bool running() const { return registry_pid_ > 0; }
  int port() const { return port_; }
  std::string host() const { return "localhost:" + std::to_string(port_); }  // as the reference CLI speaks plain HTTP to it
  // Publishes tests/features/src (localhost:REGISTRY in it replaced by host()) under `ns` with the
  // reference CLI's `devcontainer features publish`; returns its output.
  RunResult publish(const std::filesystem::path& src, const std::string& ns) const;

 private:
  std::filesystem::path dir_;
  pid_t registry_pid_ = -1;
  pid_t token_pid_ = -1;
  int port_ = 0;
};

// A folder served over HTTP on 127.0.0.1:port (python3's http.server) while the object lives.
class ServedFolder {
 public:
  ServedFolder(const std::filesystem::path& folder, int port);
  ~ServedFolder();
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// The reference CLI (tests/node's @devcontainers/cli) and whether it is installed.
std::string devcontainer_cli();

// Copies a folder (recursively), replacing `from` with `to` in every file's text.
void copy_replacing(const std::filesystem::path& from_dir, const std::filesystem::path& to_dir, const std::string& from,
                    const std::string& to);

}  // namespace dlc::testing
