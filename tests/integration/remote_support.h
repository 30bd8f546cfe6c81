// Remote engines that integration tests make for themselves, all on 127.0.0.1 (tests/integration):
//
//   TlsEngine   a second dockerd listening on tcp://127.0.0.1:PORT with --tlsverify and certificates
//               made here with openssl; its own data-root, exec-root and pidfile; --bridge=none
//               --iptables=false (the shared dockerd is not disturbed). It runs in a mount namespace of
//               its own in which hidden_dir() is an empty tmpfs: folders made there exist on "this
//               machine" but not on the engine's host, as on a real remote machine.
//   SshServer   Debian's sshd on a loopback port, with a generated host key and user key, a test user
//               whose PATH has the docker CLI (reaching the shared engine through the docker group)
//               and one whose PATH has no docker; the client side is OpenSSH's own ssh with a config
//               file, put first on PATH as `ssh` for the programs the tests run.
//   GitServer   git daemon on a loopback port with one repository, for clones made on an engine's host.
//
// Both clean up everything they made: processes, users, files, ssh master connections.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "integration/private_engine.h"

namespace dlc::testing {

// Files under one folder of the test's own, removed at the end.
class Scratch {
 public:
  explicit Scratch(const std::string& name);
  ~Scratch();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// openssl: a CA, a server certificate for 127.0.0.1 and a client certificate, as dockerd --tlsverify
// and the docker CLI use them (ca.pem, cert.pem, key.pem in one folder; server-cert.pem, server-key.pem).
void make_certificates(const std::filesystem::path& dir);

class TlsEngine {
 public:
  // Starts it and loads the images named (docker save | docker load). Empty `why` when it runs.
  explicit TlsEngine(const std::vector<std::string>& images);
  ~TlsEngine();
  bool running() const { return why_.empty(); }
  const std::string& why() const { return why_; }

  std::string url() const;                       // tcp://127.0.0.1:PORT
  std::filesystem::path cert_dir() const;        // ca.pem, cert.pem, key.pem for the client
  std::string unix_url() const;                  // its unix socket, for test bookkeeping
  std::filesystem::path hidden_dir() const;      // exists here, not in the engine's view
  // DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for a program that should reach it over TLS.
  std::map<std::string, std::string> env() const;
  engine::Engine engine() const;                 // through its unix socket

 private:
  Scratch dir_;
  std::optional<TestBridge> bridge_;  // its own: not --bridge=none, which deletes the shared docker0
  int port_ = 0;
  int pid_ = -1;
  std::string why_;
};

class SshServer {
 public:
  SshServer();
  ~SshServer();
  bool running() const { return why_.empty(); }
  const std::string& why() const { return why_; }

  int port() const { return port_; }
  std::string user() const { return user_; }                // has docker on PATH, in the docker group
  std::string user_without_docker() const { return nodocker_; }
  std::string url() const;                                   // ssh://USER@127.0.0.1:PORT
  // PATH (the ssh wrapper first) and XDG_RUNTIME_DIR (where the master connections' sockets go).
  std::map<std::string, std::string> env() const;
  std::filesystem::path bin_dir() const;

 private:
  Scratch dir_;
  int port_ = 0;
  int pid_ = -1;
  std::string user_, nodocker_;
  std::string why_;
};

// `git daemon` on 127.0.0.1 serving one repository made here (a commit of the files given), for a
// clone made on an engine's host: git://127.0.0.1:PORT/NAME.git.
class GitServer {
 public:
  GitServer(const std::string& name, const std::map<std::string, std::string>& files);
  ~GitServer();
  bool running() const { return why_.empty(); }
  const std::string& why() const { return why_; }
  std::string url() const;

 private:
  Scratch dir_;
  std::string name_;
  int port_ = 0;
  int pid_ = -1;
  std::string why_;
};

}  // namespace dlc::testing
