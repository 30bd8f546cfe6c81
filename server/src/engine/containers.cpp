#include <openssl/evp.h>

#include "engine/engine.h"
#include "engine/podman.h"
#include "support/error.h"

namespace dlc::engine {

using json = nlohmann::json;

namespace {

Error not_found(const std::string& id) {
  return Error(ErrorCode::ContainerNotFound, "container " + id + " does not exist",
               "it may have been removed; run `dlcontainer up` to create it again");
}

}  // namespace

namespace {

std::string create_from_body(const Engine& engine, const ContainerSpec& spec, const json& body) {
  std::string target = "/v" + engine.api_version() + "/containers/create";
  std::string query;
  if (!spec.name.empty()) query += "&name=" + url_encode(spec.name);
  if (!spec.platform.empty()) query += "&platform=" + url_encode(spec.platform);
  if (!query.empty()) target += "?" + query.substr(1);
  Connection c(engine.endpoint(), {}, Connection::Reuse::Yes);
  auto r = c.request("POST", target, body.dump());
  if (r.status == 404) {
    throw Error(ErrorCode::ImageNotFound, "image " + spec.image + " is not here: " + error_message(r),
                "build or pull it first");
  }
  if (r.status == 409) {
    throw Error(ErrorCode::EngineError, "a container named " + spec.name + " already exists",
                "remove it (docker rm " + spec.name + ") or rename it");
  }
  check(r, "creating a container from " + spec.image);
  return read_reply(r.body, "creating a container from " + spec.image, [](const json& j) { return j.at("Id").get<std::string>(); });
}

}  // namespace

std::string Engine::create_container(const ContainerSpec& spec) const {
  return create_from_body(*this, spec, to_docker_create_body(spec));
}

std::string create_container(const Engine& engine, const ContainerSpec& spec, const std::string& userns_mode) {
  auto body = to_docker_create_body(spec);
  if (!userns_mode.empty()) body["HostConfig"]["UsernsMode"] = userns_mode;
  return create_from_body(engine, spec, body);
}

void Engine::start_container(const std::string& id) const {
  auto r = call("POST", "/containers/" + url_encode(id) + "/start");
  if (r.status == 304) return;  // already running
  if (r.status == 404) throw not_found(id);
  if (!r.ok()) {
    std::string msg = error_message(r);
    std::string hint = "the message above is the engine's; `dlcontainer logs` shows the container's output";
    if (msg.find("address already in use") != std::string::npos || msg.find("port is already allocated") != std::string::npos) {
      throw Error(ErrorCode::PortUnavailable, "cannot start the container: " + msg,
                  "another program holds that port: stop it, or rebuild (`dlcontainer up --rebuild`) to pick free ports");
    }
    throw Error(ErrorCode::EngineError, "cannot start the container: " + msg, hint);
  }
}

void Engine::stop_container(const std::string& id, int timeout_seconds) const {
  // The engine answers once the container has stopped: after its grace time, at worst.
  Connection c(endpoint_, {}, Connection::Reuse::Yes);
  c.extend_reply(std::chrono::seconds(std::max(timeout_seconds, 0)));
  auto r = c.request("POST", path("/containers/" + url_encode(id) + "/stop?t=" + std::to_string(timeout_seconds)));
  if (r.status == 304) return;  // already stopped
  if (r.status == 404) throw not_found(id);
  check(r, "stopping container " + id);
}

void Engine::remove_container(const std::string& id, bool force, bool remove_volumes) const {
  std::string target = "/containers/" + url_encode(id) + "?force=" + (force ? "1" : "0") + "&v=" + (remove_volumes ? "1" : "0");
  auto r = call("DELETE", target);
  if (r.status == 404) return;
  check(r, "removing container " + id);
}

std::optional<ContainerInfo> Engine::inspect_container(const std::string& id) const {
  auto r = call("GET", "/containers/" + url_encode(id) + "/json");
  if (r.status == 404) return std::nullopt;
  check(r, "inspecting container " + id);
  return read_reply(r.body, "inspecting container " + id, [](const json& j) { return container_info_from_docker(j); });
}

std::vector<ContainerSummary> Engine::list_containers(const LabelFilter& labels, bool all) const {
  json filters = json::object();
  for (const auto& [k, v] : labels) filters["label"].push_back(v.empty() ? k : k + "=" + v);
  std::string target = std::string("/containers/json?all=") + (all ? "1" : "0");
  if (!labels.empty()) target += "&filters=" + url_encode(filters.dump());
  auto r = call("GET", target);
  check(r, "listing containers");
  return read_reply(r.body, "listing containers", [](const json& rows) {
    std::vector<ContainerSummary> out;
    for (const auto& row : rows) out.push_back(container_summary_from_docker(row));
    return out;
  });
}

void Engine::logs(const std::string& id, const LogOptions& options, const OutputSink& on_stdout,
                  const OutputSink& on_stderr, const CancelToken& cancel) const {
  auto info = inspect_container(id);
  if (!info) throw not_found(id);
  std::string target = "/containers/" + url_encode(id) + "/logs?stdout=1&stderr=1";
  if (options.follow) target += "&follow=1";
  if (options.timestamps) target += "&timestamps=1";
  if (options.tail >= 0) target += "&tail=" + std::to_string(options.tail);
  Connection c(endpoint_, cancel);
  Demuxer demux(on_stdout, on_stderr);
  try {
    auto r = c.stream("GET", path(target), {}, [&](std::string_view d) { demux.feed(d); }, options.follow);
    check(r, "reading the logs of " + id);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Cancelled || cancel.cancelled()) return;  // the caller stopped following
    throw;
  }
}

int Engine::wait_container(const std::string& id, const CancelToken& cancel) const {
  // The engine sends the header at once and the body when the container ends, however late.
  Connection c(endpoint_, cancel);
  std::string body;
  auto r = c.stream("POST", path("/containers/" + url_encode(id) + "/wait"), {}, [&](std::string_view d) {
    if (body.size() + d.size() > (1u << 20)) throw Error(ErrorCode::EngineError, "the engine's answer to a wait is larger than 1 MiB");
    body.append(d);
  }, /*follow=*/true);
  if (r.status == 404) throw not_found(id);
  check(r, "waiting for " + id);
  return read_reply(body, "waiting for " + id, [](const json& j) { return j.value("StatusCode", 0); });
}

void Engine::put_archive(const std::string& id, const std::string& dest, std::string_view tar) const {
  Connection c(endpoint_, {}, Connection::Reuse::Yes);
  auto r = c.request("PUT", path("/containers/" + url_encode(id) + "/archive?path=" + url_encode(dest)), tar,
                     "application/x-tar");
  if (r.status == 404) throw not_found(id);
  check(r, "copying files into " + id);
}

void Engine::put_archive(const std::string& id, const std::string& dest, const BodyProducer& tar, const CancelToken& cancel) const {
  Connection c(endpoint_, cancel);
  std::string answer;
  auto r = c.upload("PUT", path("/containers/" + url_encode(id) + "/archive?path=" + url_encode(dest)), "application/x-tar", tar,
                    [&](std::string_view d) { answer.append(d.substr(0, 4096)); });
  if (r.status == 404) throw not_found(id);
  check(r, "copying files into " + id);
}

std::optional<PathStat> Engine::stat_path(const std::string& id, const std::string& p) const {
  auto r = call("HEAD", "/containers/" + url_encode(id) + "/archive?path=" + url_encode(p));
  if (r.status == 404) return std::nullopt;
  check(r, "looking for " + p + " in " + id);
  std::string encoded = r.header("X-Docker-Container-Path-Stat");
  if (encoded.empty() || encoded.size() > 16384) return PathStat{};
  std::string decoded(encoded.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()), reinterpret_cast<const unsigned char*>(encoded.data()),
                          static_cast<int>(encoded.size()));
  if (n < 0) return PathStat{};
  decoded.resize(static_cast<std::size_t>(n));
  while (!decoded.empty() && decoded.back() == '\0') decoded.pop_back();  // the base64 padding decodes to NULs
  return read_reply(decoded, "looking for " + p, [](const json& j) {
    PathStat s;
    s.name = j.value("name", "");
    s.size = j.value("size", std::int64_t{0});
    s.mode = j.value("mode", std::uint32_t{0});
    s.mtime = j.value("mtime", "");
    return s;
  });
}

bool Engine::path_exists(const std::string& id, const std::string& p) const {
  auto r = call("HEAD", "/containers/" + url_encode(id) + "/archive?path=" + url_encode(p));
  if (r.status == 404) return false;
  check(r, "looking for " + p + " in " + id);
  return true;
}

}  // namespace dlc::engine
