#include "engine/endpoint.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/podman.h"
#include "support/error.h"
#include "support/files.h"
#include "support/hash.h"

namespace dlc::engine {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kConfigLimit = 1 << 20;  // a docker config or context file larger than this is not one

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

Error bad_url(std::string_view url, const std::string& origin, const std::string& why) {
  return Error(ErrorCode::InvalidArgument, origin + "=" + std::string(url) + " cannot be used: " + why,
               "write unix:///var/run/docker.sock, tcp://HOST:2376 (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH) or "
               "ssh://[user@]HOST[:port]");
}

int parse_port(std::string_view text, std::string_view url, const std::string& origin) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) throw bad_url(url, origin, "the port " + std::string(text) + " is not a number");
    port = port * 10 + (c - '0');
  }
  if (text.empty() || port < 1 || port > 65535) throw bad_url(url, origin, "the port " + std::string(text) + " is not a port");
  return port;
}

// "host", "host:port", "[v6]", "[v6]:port" -> host and port text.
void split_host_port(std::string_view authority, std::string& host, std::string& port) {
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    host = std::string(authority.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    if (close != std::string_view::npos && close + 1 < authority.size() && authority[close + 1] == ':') {
      port = std::string(authority.substr(close + 2));
    }
    return;
  }
  auto colon = authority.rfind(':');
  host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) port = std::string(authority.substr(colon + 1));
}

// The TLS a tcp:// endpoint gets from the docker CLI's variables: DOCKER_TLS_VERIFY (verify), DOCKER_TLS
// (encrypt without verifying), DOCKER_CERT_PATH (the folder of ca.pem, cert.pem, key.pem; ~/.docker
// when unset). None of them: plain HTTP.
std::optional<TlsFiles> tls_from_env() {
  std::string verify = env("DOCKER_TLS_VERIFY"), tls = env("DOCKER_TLS"), dir = env("DOCKER_CERT_PATH");
  if (verify.empty() && tls.empty() && dir.empty()) return std::nullopt;
  if (dir.empty()) dir = docker_config_dir();
  TlsFiles files;
  files.verify = !verify.empty() || tls.empty();
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "ca.pem", ec)) files.ca = (fs::path(dir) / "ca.pem").string();
  if (fs::exists(fs::path(dir) / "cert.pem", ec) && fs::exists(fs::path(dir) / "key.pem", ec)) {
    files.cert = (fs::path(dir) / "cert.pem").string();
    files.key = (fs::path(dir) / "key.pem").string();
  }
  return files;
}

void warn_plain_tcp(const Endpoint& e) {
  static std::mutex mu;
  static std::set<std::string> warned;
  std::lock_guard lock(mu);
  if (!warned.insert(e.url()).second) return;
  spdlog::warn("the engine at {} is reached without TLS: anyone who can reach that port controls its host. "
               "Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (dockerd --tlsverify), or use ssh://",
               e.url());
}

std::optional<json> read_json_file(const fs::path& p, const std::string& what) {
  auto text = read_file(p.string(), kConfigLimit);
  if (!text) return std::nullopt;
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw Error(ErrorCode::ConfigInvalid, what + " " + p.string() + " is not a JSON object",
                "fix or remove it (the docker CLI writes it: `docker context ls` shows whether it can read it)");
  }
  return j;
}

// A docker context's endpoint, from the docker CLI's own files.
Endpoint context_endpoint(const std::string& name, const std::string& why) {
  std::string id = sha256_hex(name);
  fs::path dir = docker_config_dir();
  fs::path meta = dir / "contexts" / "meta" / id / "meta.json";
  auto j = read_json_file(meta, "the docker context file");
  if (!j) {
    throw Error(ErrorCode::ConfigInvalid, "docker context \"" + name + "\" (" + why + ") does not exist: no " + meta.string(),
                "`docker context ls` lists the contexts; `docker context use default` goes back to the local engine");
  }
  const json* docker = nullptr;
  if (auto eps = j->find("Endpoints"); eps != j->end() && eps->is_object()) {
    if (auto d = eps->find("docker"); d != eps->end() && d->is_object()) docker = &*d;
  }
  std::string host = docker ? docker->value("Host", "") : "";
  if (host.empty()) {
    throw Error(ErrorCode::ConfigInvalid, "docker context \"" + name + "\" names no docker host (" + meta.string() + ")",
                "docker context update " + name + " --docker host=ssh://USER@HOST");
  }
  std::string origin = "docker context " + name + " (" + why + ")";
  Endpoint e = Endpoint::parse(host, origin);
  e.context = name;
  if (e.transport == Transport::Tcp) {
    // The context's TLS material replaces what the variables say: a context carries its own.
    fs::path tls = dir / "contexts" / "tls" / id / "docker";
    std::error_code ec;
    if (fs::is_directory(tls, ec)) {
      TlsFiles files;
      files.verify = !docker->value("SkipTLSVerify", false);
      if (fs::exists(tls / "ca.pem", ec)) files.ca = (tls / "ca.pem").string();
      if (fs::exists(tls / "cert.pem", ec) && fs::exists(tls / "key.pem", ec)) {
        files.cert = (tls / "cert.pem").string();
        files.key = (tls / "key.pem").string();
      }
      e.tls = files;
    } else if (docker->value("SkipTLSVerify", false)) {
      e.tls = TlsFiles{.verify = false};
    } else {
      e.tls.reset();
    }
  }
  return e;
}

}  // namespace

std::string Endpoint::url() const {
  switch (transport) {
    case Transport::Unix:
      return "unix://" + socket_path;
    case Transport::Tcp: {
      std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
      return "tcp://" + h + ":" + std::to_string(port);
    }
    case Transport::Ssh: {
      std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
      std::string out = "ssh://" + (user.empty() ? "" : user + "@") + h + (port ? ":" + std::to_string(port) : "");
      if (!socket_path.empty()) out += socket_path;
      return out;
    }
    case Transport::Slurm:
      return "slurm://" + host + socket_path;
  }
  return {};
}

std::string Endpoint::machine() const {
  if (transport == Transport::Slurm) return "the node of Slurm job " + host;
  return transport == Transport::Unix ? "this machine" : host;
}

Endpoint Endpoint::parse(std::string_view url, std::string origin) {
  Endpoint e;
  e.origin = origin;
  if (url.starts_with("/")) {
    e.socket_path = std::string(url);
  } else if (url.starts_with("unix://")) {
    e.socket_path = std::string(url.substr(7));
    if (e.socket_path.empty() || e.socket_path.front() != '/') throw bad_url(url, origin, "unix:// needs the socket's absolute path");
  } else if (url.starts_with("tcp://")) {
    e.transport = Transport::Tcp;
    std::string_view rest = url.substr(6);
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
      if (rest.substr(slash) != "/") throw bad_url(url, origin, "a tcp:// address has no path");
      rest = rest.substr(0, slash);
    }
    std::string port;
    split_host_port(rest, e.host, port);
    if (e.host.empty()) throw bad_url(url, origin, "no host");
    e.tls = tls_from_env();
    e.port = port.empty() ? (e.tls ? 2376 : 2375) : parse_port(port, url, origin);
  } else if (url.starts_with("ssh://")) {
    e.transport = Transport::Ssh;
    e.socket_path.clear();
    std::string_view rest = url.substr(6);
    if (rest.find_first_of("?#") != std::string_view::npos) throw bad_url(url, origin, "ssh:// takes no query or fragment");
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
      e.socket_path = std::string(rest.substr(slash));
      rest = rest.substr(0, slash);
      if (e.socket_path == "/") e.socket_path.clear();
    }
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
      e.user = std::string(rest.substr(0, at));
      if (e.user.find(':') != std::string::npos) throw bad_url(url, origin, "a password in the URL is not supported (use keys or ssh-agent)");
      rest = rest.substr(at + 1);
    }
    std::string port;
    split_host_port(rest, e.host, port);
    if (e.host.empty()) throw bad_url(url, origin, "no host");
    // ssh would read these as options.
    if (e.host.front() == '-' || e.user.starts_with("-")) throw bad_url(url, origin, "a host or user cannot begin with '-'");
    if (!port.empty()) e.port = parse_port(port, url, origin);
  } else if (url.starts_with("slurm://")) {
    // A job's Podman service: slurm://JOBID/socket on the job's node.
    e.transport = Transport::Slurm;
    e.kind = "podman";
    std::string_view rest = url.substr(8);
    auto slash = rest.find('/');
    e.host = std::string(rest.substr(0, slash));
    if (e.host.empty() || e.host.find_first_not_of("0123456789") != std::string::npos) {
      throw bad_url(url, origin, "slurm:// takes a job id (digits), then the socket's path on its node");
    }
    if (slash == std::string_view::npos || rest.size() == slash + 1) throw bad_url(url, origin, "slurm:// needs the socket's path on the node");
    e.socket_path = std::string(rest.substr(slash));
  } else {
    auto scheme = url.substr(0, url.find("://"));
    throw bad_url(url, origin,
                  url.find("://") == std::string_view::npos ? "it is not a URL"
                                                             : "the scheme " + std::string(scheme) + ":// is not supported");
  }
  return e;
}

// DLC_ENGINE, CONTAINER_HOST and the sockets that exist join DOCKER_HOST here (engine/podman.h).
Endpoint Endpoint::from_env() { return choose_local_endpoint(local_engine_env()).endpoint; }

std::string docker_config_dir() {
  std::string dir = env("DOCKER_CONFIG");
  if (!dir.empty()) return dir;
  std::string home = env("HOME");
  return (fs::path(home.empty() ? "/" : home) / ".docker").string();
}

namespace {

Endpoint choose(const std::string& host, const std::string& configured) {
  if (!host.empty()) return Endpoint::parse(host, "--host");
  // Podman asked for (--engine podman, DLC_ENGINE=podman): its own socket, not Docker's settings.
  if (env("DLC_ENGINE") == "podman") return Endpoint::from_env();
  if (auto h = env("DOCKER_HOST"); !h.empty()) return Endpoint::parse(h, "DOCKER_HOST");
  if (auto c = env("DOCKER_CONTEXT"); !c.empty() && c != "default") return context_endpoint(c, "DOCKER_CONTEXT");
  fs::path config = fs::path(docker_config_dir()) / "config.json";
  if (auto j = read_json_file(config, "the docker CLI's config")) {
    auto current = j->find("currentContext");
    if (current != j->end() && current->is_string() && !current->get<std::string>().empty() && *current != "default") {
      return context_endpoint(current->get<std::string>(), "currentContext in " + config.string());
    }
  }
  if (!configured.empty()) return Endpoint::parse(configured, "host in dlcontainer's config.json");
  return Endpoint::from_env();  // Docker's socket, or Podman's when only it is there
}

}  // namespace

Endpoint choose_endpoint(const std::string& host, const std::string& configured) {
  Endpoint e = choose(host, configured);
  if (e.transport == Transport::Tcp && !e.tls) warn_plain_tcp(e);
  return e;
}

}  // namespace dlc::engine
