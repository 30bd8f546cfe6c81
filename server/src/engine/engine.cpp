#include "engine/engine.h"

#include <cstring>

#include "support/error.h"
#include "support/nesting.h"

namespace dlc::engine {

using json = nlohmann::json;

namespace {

// The newest API this client speaks, and the oldest it needs (19.03: DeviceRequests for GPUs).
constexpr int kMaxMinor = 43;
constexpr int kMinMinor = 40;

int minor_of(const std::string& version) {  // "1.41" -> 41
  auto dot = version.find('.');
  if (dot == std::string::npos || version.substr(0, dot) != "1") return -1;
  try {
    return std::stoi(version.substr(dot + 1));
  } catch (...) {
    return -1;
  }
}

}  // namespace

Engine Engine::connect(Endpoint endpoint) {
  std::string daemon_version;
  {
    Connection c(endpoint, {}, Connection::Reuse::Yes);
    auto r = c.request("GET", "/_ping");
    daemon_version = r.header("API-Version");
    if (r.status >= 400) {
      std::string said = error_message(r);
      bool tls = said.find("HTTPS server") != std::string::npos;
      throw Error(ErrorCode::EngineUnavailable,
                  "the engine at " + endpoint.url() + " (" + endpoint.origin + ") refused a ping: " + said,
                  tls ? "it speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder of ca.pem, cert.pem, key.pem"
                      : "check that " + endpoint.url() + " is a Docker engine");
    }
  }
  if (daemon_version.empty()) {  // very old daemons do not send the header
    Connection c(endpoint, {}, Connection::Reuse::Yes);
    auto r = c.request("GET", "/version");
    check(r, "asking the daemon its version");
    daemon_version = read_reply(r.body, "GET /version", [](const json& j) { return j.value("ApiVersion", ""); });
  }
  int minor = minor_of(daemon_version);
  if (minor < kMinMinor) {
    throw Error(ErrorCode::EngineError,
                "the Docker daemon speaks API " + daemon_version + ", older than the 1." + std::to_string(kMinMinor) +
                    " that dlcontainer needs",
                "upgrade Docker to 19.03 or newer");
  }
  return Engine(std::move(endpoint), "1." + std::to_string(std::min(minor, kMaxMinor)));
}

std::string Engine::path(std::string_view p) const { return "/v" + api_version_ + std::string(p); }

Response Engine::call(std::string_view method, std::string_view target, std::string_view body) const {
  Connection c(endpoint_, {}, Connection::Reuse::Yes);
  return c.request(method, path(target), body);
}

SystemInfo Engine::info(const CancelToken& cancel) const {
  Connection c(endpoint_, cancel, Connection::Reuse::Yes);
  auto r = c.request("GET", path("/info"));
  check(r, "reading the daemon's info");
  return read_reply(r.body, "GET /info", [&](const json& j) {
    SystemInfo s;
    s.api_version = api_version_;
    s.server_version = j.value("ServerVersion", "");
    s.os = j.value("OperatingSystem", "");
    s.kernel_version = j.value("KernelVersion", "");
    s.docker_root_dir = j.value("DockerRootDir", "");
    s.name = j.value("Name", "");
    s.default_runtime = j.value("DefaultRuntime", "");
    s.ncpu = j.value("NCPU", 0);
    s.mem_total = j.value("MemTotal", std::int64_t{0});
    s.cgroup_version = j.value("CgroupVersion", "");
    if (auto rt = j.find("Runtimes"); rt != j.end() && rt->is_object()) {
      for (const auto& [name, _] : rt->items()) s.runtimes.push_back(name);
    }
    if (auto cdi = j.find("CDISpecDirs"); cdi != j.end() && cdi->is_array()) {
      s.cdi_spec_dirs = cdi->get<std::vector<std::string>>();
    }
    if (auto reg = j.find("RegistryConfig"); reg != j.end() && reg->is_object()) {
      if (auto m = reg->find("Mirrors"); m != reg->end() && m->is_array()) s.registry_mirrors = m->get<std::vector<std::string>>();
    }
    return s;
  });
}

json parse_reply(std::string_view body, std::string_view doing) {
  json j = parse_json_within(body);
  if (j.is_discarded()) {
    bool deep = find_nesting_beyond(body, kMaxConfigDepth) != std::string_view::npos;
    std::string start(body.substr(0, 120));
    for (char& c : start)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    throw Error(ErrorCode::EngineError,
                "the engine's answer to " + std::string(doing) + " is not the JSON the Docker Engine API sends" +
                    (deep ? " (nested too deep)" : "") + (start.empty() ? std::string(" (it is empty)") : ": " + start),
                "check that --host, DOCKER_HOST or the Docker context points at a Docker engine: `docker version` says what answers there");
  }
  return j;
}

std::string error_message(const Response& r) {
  try {
    auto j = json::parse(r.body);
    if (j.is_object() && j.contains("message")) return j["message"].get<std::string>();
  } catch (const json::exception&) {
  }
  std::string body = r.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body.empty() ? "HTTP " + std::to_string(r.status) : body;
}

void check(const Response& r, std::string_view doing) {
  if (r.ok()) return;
  throw Error(ErrorCode::EngineError, "the Docker daemon refused " + std::string(doing) + ": " + error_message(r));
}

void LineSplitter::feed(std::string_view data) {
  std::size_t start = 0;
  for (;;) {
    auto nl = data.find('\n', start);
    if (nl == std::string_view::npos) break;
    std::string_view piece = data.substr(start, nl - start);
    if (!pending_.empty()) {
      pending_.append(piece);
      std::string line = std::move(pending_);
      pending_.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      on_line_(line);
    } else {
      if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
      on_line_(piece);
    }
    start = nl + 1;
  }
  pending_.append(data.substr(start));
  if (pending_.size() > kMaxLine) {
    throw Error(ErrorCode::EngineError, "the engine sent a line longer than " + std::to_string(kMaxLine >> 20) + " MiB",
                "check that the engine is Docker (or compatible) and well");
  }
}

void LineSplitter::finish() {
  if (pending_.empty()) return;
  std::string line = std::move(pending_);
  pending_.clear();
  on_line_(line);
}

void Demuxer::feed(std::string_view data) {
  pending_.append(data);
  std::size_t pos = 0;
  while (pending_.size() - pos >= 8) {
    auto* h = reinterpret_cast<const unsigned char*>(pending_.data() + pos);
    std::size_t size = (std::size_t{h[4]} << 24) | (std::size_t{h[5]} << 16) | (std::size_t{h[6]} << 8) | h[7];
    if (h[0] > 2 || h[1] || h[2] || h[3] || size > kMaxFrame) {
      throw Error(ErrorCode::EngineError, "the engine's output stream is not framed as the Engine API frames it",
                  "check that the engine is Docker (or compatible) and well");
    }
    if (pending_.size() - pos - 8 < size) break;
    std::string_view payload(pending_.data() + pos + 8, size);
    const OutputSink& sink = h[0] == 2 ? err_ : out_;
    if (sink && size > 0) sink(payload);
    pos += 8 + size;
  }
  pending_.erase(0, pos);
}

}  // namespace dlc::engine
