#include "engine/engine.h"
#include "support/error.h"
#include "support/nesting.h"

namespace dlc::engine {

using json = nlohmann::json;

namespace {

std::string label_filters(const LabelFilter& labels) {
  json f = json::object();
  for (const auto& [k, v] : labels) f["label"].push_back(v.empty() ? k : k + "=" + v);
  return f.dump();
}

// The JSON progress of a pull or build: messages go to progress, errors are returned.
struct JsonProgress {
  ProgressSink& progress;
  std::string error;
  std::string image_id;

  void line(std::string_view text) {
    if (text.empty()) return;
    json j = parse_json_within(text);
    if (j.is_discarded() || !j.is_object()) return;
    if (auto e = j.find("error"); e != j.end() && e->is_string()) {
      error = e->get<std::string>();
      return;
    }
    if (auto s = j.find("stream"); s != j.end() && s->is_string()) {
      std::string out = s->get<std::string>();
      while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
      if (!out.empty()) progress.output(out);
      return;
    }
    if (auto aux = j.find("aux"); aux != j.end() && aux->is_object() && aux->contains("ID")) {
      image_id = (*aux)["ID"].get<std::string>();
      return;
    }
    if (auto st = j.find("status"); st != j.end() && st->is_string()) {
      std::string msg = st->get<std::string>();
      if (auto id = j.find("id"); id != j.end() && id->is_string()) msg = id->get<std::string>() + ": " + msg;
      std::optional<int> percent;
      if (auto d = j.find("progressDetail"); d != j.end() && d->is_object() && d->contains("total")) {
        auto total = (*d)["total"].get<double>();
        if (total > 0) percent = static_cast<int>(100.0 * (*d).value("current", 0.0) / total);
      }
      progress.report(msg, percent);
    }
  }
};

}  // namespace

std::optional<ImageInfo> Engine::inspect_image(const std::string& ref) const {
  auto r = call("GET", "/images/" + url_encode(ref) + "/json");
  if (r.status == 404) return std::nullopt;
  check(r, "inspecting image " + ref);
  return read_reply(r.body, "inspecting image " + ref, [](const json& j) { return image_info_from_docker(j); });
}

std::vector<ImageInfo> Engine::list_images(const LabelFilter& labels) const {
  std::string target = "/images/json";
  if (!labels.empty()) target += "?filters=" + url_encode(label_filters(labels));
  auto r = call("GET", target);
  check(r, "listing images");
  return read_reply(r.body, "listing images", [](const json& rows) {
    std::vector<ImageInfo> out;
    for (const auto& row : rows) {
      ImageInfo i;
      i.id = row.value("Id", "");
      if (auto t = row.find("RepoTags"); t != row.end() && t->is_array()) i.repo_tags = t->get<std::vector<std::string>>();
      if (auto l = row.find("Labels"); l != row.end() && l->is_object()) i.labels = l->get<std::map<std::string, std::string>>();
      i.size = row.value("Size", std::int64_t{0});
      out.push_back(std::move(i));
    }
    return out;
  });
}

void Engine::pull_image(const std::string& ref, ProgressSink& progress, const CancelToken& cancel,
                        const std::string& platform) const {
  // "name:tag" or "name@digest"; a colon inside a registry host:port is not a tag.
  std::string name = ref, tag;
  auto at = ref.find('@');
  auto colon = ref.rfind(':');
  if (at == std::string::npos && colon != std::string::npos && ref.find('/', colon) == std::string::npos) {
    name = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
  }
  std::string target = "/images/create?fromImage=" + url_encode(name);
  if (!tag.empty()) target += "&tag=" + url_encode(tag);
  if (!platform.empty()) target += "&platform=" + url_encode(platform);
  Connection c(endpoint_, cancel);
  JsonProgress jp{progress};
  LineSplitter lines([&](std::string_view l) { jp.line(l); });
  auto r = c.stream("POST", path(target), {}, [&](std::string_view d) { lines.feed(d); });
  lines.finish();
  std::string why = r.ok() ? jp.error : error_message(r);
  if (!why.empty()) {
    throw Error(ErrorCode::ImageNotFound, "image " + ref + " is not here and cannot be pulled: " + why,
                "check the image name, log in to its registry (docker login), set a registry mirror, or build it "
                "locally and tag it " + ref);
  }
}

std::string Engine::build_image(const BuildRequest& req, const BodyProducer& context, ProgressSink& progress,
                                const CancelToken& cancel) const {
  std::string target = "/build?dockerfile=" + url_encode(req.dockerfile) + "&rm=1&forcerm=1";
  for (const auto& t : req.tags) target += "&t=" + url_encode(t);
  if (!req.build_args.empty()) target += "&buildargs=" + url_encode(json(req.build_args).dump());
  if (!req.labels.empty()) target += "&labels=" + url_encode(json(req.labels).dump());
  if (!req.target.empty()) target += "&target=" + url_encode(req.target);
  if (req.no_cache) target += "&nocache=1";
  if (req.pull) target += "&pull=1";
  if (!req.platform.empty()) target += "&platform=" + url_encode(req.platform);
  if (!req.network_mode.empty()) target += "&networkmode=" + url_encode(req.network_mode);
  if (!req.extra_hosts.empty()) {
    std::string hosts;
    for (const auto& h : req.extra_hosts) hosts += (hosts.empty() ? "" : ",") + h;
    target += "&extrahosts=" + url_encode(hosts);
  }
  if (!req.cache_from.empty()) target += "&cachefrom=" + url_encode(json(req.cache_from).dump());

  Connection c(endpoint_, cancel);
  JsonProgress jp{progress};
  LineSplitter lines([&](std::string_view l) { jp.line(l); });
  auto r = c.upload("POST", path(target), "application/x-tar", context, [&](std::string_view d) { lines.feed(d); });
  lines.finish();
  cancel.throw_if_cancelled();
  std::string why = r.ok() ? jp.error : error_message(r);
  if (!why.empty()) {
    throw Error(ErrorCode::BuildFailed, "the image build failed: " + why,
                "fix the Dockerfile or its context; the build output above shows the failing step");
  }
  if (jp.image_id.empty() && !req.tags.empty()) {
    if (auto img = inspect_image(req.tags.front())) jp.image_id = img->id;
  }
  return jp.image_id;
}

void Engine::remove_image(const std::string& ref, bool force) const {
  auto r = call("DELETE", "/images/" + url_encode(ref) + (force ? "?force=1" : ""));
  if (r.status == 404) return;
  check(r, "removing image " + ref);
}

}  // namespace dlc::engine
