// Where an engine listens and how it is reached: a unix socket here, tcp:// (TLS when the docker
// CLI's settings ask for it), ssh:// through the system's OpenSSH client, or slurm:// into a Slurm
// job's Podman service through `srun --overlap` (core/slurm_job.h starts the job). Chosen the way the
// docker CLI chooses, so that `docker context use gpu1` moves dlcontainer too:
//
//   --host (or the RPC params' host) > DOCKER_HOST > DOCKER_CONTEXT > currentContext in the docker
//   CLI's config.json > the user config's default host > the default socket
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dlc::engine {

enum class Transport { Unix, Tcp, Ssh, Slurm };

// TLS files as the docker CLI keeps them: ca.pem, cert.pem and key.pem in one folder.
struct TlsFiles {
  std::string ca;    // "" : the system's CA store
  std::string cert;  // "" : no client certificate
  std::string key;
  bool verify = true;  // check the daemon's certificate and name (false: --tls without verify)
};

struct Endpoint {
  Transport transport = Transport::Unix;
  std::string socket_path = "/var/run/docker.sock";  // Unix; Ssh: the socket on the remote ("" : its default); Slurm: on the node
  std::string host;                                   // Tcp, Ssh; Slurm: the job id
  int port = 0;                                       // Tcp: always set; Ssh: 0 leaves it to ssh (its config, or 22)
  std::string user;                                   // Ssh: "" leaves it to ssh
  std::optional<TlsFiles> tls;                        // Tcp: present for TLS
  // What speaks at the other end. Only "docker" so far; another engine with a compatible API (podman)
  // is one more value here and one more default socket in choose_endpoint.
  std::string kind = "docker";
  std::string origin = "the default socket";  // how it was chosen, for messages: "--host", "DOCKER_HOST", ...
  std::string context;                         // the docker context it came from, if any

  // unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://alice@gpu1:2222, slurm://4711/tmp/x.sock
  // (the identity of the engine: labels and connection reuse key on it).
  std::string url() const;
  // Whether the engine runs on this machine (its files, processes and GPUs are this machine's).
  bool local() const { return transport == Transport::Unix; }
  // The machine the engine runs on, for messages: "gpu1", "10.0.0.5", "the node of Slurm job 4711"
  // or "this machine".
  std::string machine() const;

  // unix:///path, /path, tcp://host[:port], ssh://[user@]host[:port][/socket], slurm://JOBID/socket. TLS for tcp:// is
  // decided from DOCKER_TLS_VERIFY, DOCKER_TLS and DOCKER_CERT_PATH, as the docker CLI does.
  // Error{InvalidArgument} naming `origin` and the form to use.
  static Endpoint parse(std::string_view url, std::string origin = "--host");
  // DOCKER_HOST when set, else the default socket (no contexts: for callers that want only those).
  static Endpoint from_env();
};

// Chooses the engine (the precedence at the top). `host`: --host or the params' host; `configured`:
// the user config's default host; "" for either means not given. Throws Error{InvalidArgument} for a
// URL that cannot be used, Error{ConfigInvalid} for a docker context that is missing or broken.
Endpoint choose_endpoint(const std::string& host = {}, const std::string& configured = {});

// The docker CLI's configuration folder: $DOCKER_CONFIG, else ~/.docker.
std::string docker_config_dir();

}  // namespace dlc::engine
