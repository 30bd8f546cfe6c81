// Volumes and images made from files: what a workspace on a remote engine needs (its copy or clone
// lives in a volume; the probe runs from an image of the agent alone, imported, since nothing may be
// pullable there).
#include "engine/engine.h"
#include "support/error.h"
#include "support/nesting.h"

namespace dlc::engine {

using json = nlohmann::json;

std::optional<VolumeInfo> Engine::inspect_volume(const std::string& name) const {
  auto r = call("GET", "/volumes/" + url_encode(name));
  if (r.status == 404) return std::nullopt;
  check(r, "inspecting volume " + name);
  return read_reply(r.body, "inspecting volume " + name, [](const json& j) {
    VolumeInfo v;
    v.name = j.value("Name", "");
    v.created_at = j.value("CreatedAt", "");
    if (auto l = j.find("Labels"); l != j.end() && l->is_object()) v.labels = l->get<std::map<std::string, std::string>>();
    return v;
  });
}

void Engine::create_volume(const std::string& name, const std::map<std::string, std::string>& labels) const {
  json body = {{"Name", name}, {"Labels", labels}};
  auto r = call("POST", "/volumes/create", body.dump());
  check(r, "creating volume " + name);
}

void Engine::remove_volume(const std::string& name) const {
  auto r = call("DELETE", "/volumes/" + url_encode(name));
  if (r.status == 404) return;
  check(r, "removing volume " + name);
}

void Engine::import_image(const std::string& ref, std::string_view tar) const {
  auto colon = ref.rfind(':');
  std::string repo = colon == std::string::npos ? ref : ref.substr(0, colon);
  std::string tag = colon == std::string::npos ? "latest" : ref.substr(colon + 1);
  Connection c(endpoint_);
  std::string errors;
  LineSplitter lines([&](std::string_view line) {
    auto j = parse_json_within(line);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) errors = j["error"].get<std::string>();
  });
  // The tag rides in repo too: Podman's compatible API takes the reference from repo alone (its tag
  // parameter is ignored, and the import would be named :latest); Docker replaces repo's tag with tag.
  auto r = c.upload("POST", path("/images/create?fromSrc=-&repo=" + url_encode(repo + ":" + tag) + "&tag=" + url_encode(tag)),
                    "application/x-tar", [&](const DataSink& write) { write(tar); },
                    [&](std::string_view d) { lines.feed(d); });
  lines.finish();
  if (!r.ok()) errors = error_message(r);
  if (!errors.empty()) throw Error(ErrorCode::EngineError, "the engine refused to import " + ref + ": " + errors);
}

}  // namespace dlc::engine
