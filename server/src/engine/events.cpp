#include <utility>

#include "engine/engine.h"
#include "support/error.h"
#include "support/nesting.h"

namespace dlc::engine {

using json = nlohmann::json;

std::optional<Event> event_of_line(std::string_view line) {
  json j = parse_json_within(line);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    Event e;
    e.type = j.value("Type", "");
    e.action = j.value("Action", j.value("status", ""));
    e.time_nano = j.value("timeNano", std::int64_t{0});
    if (auto actor = j.find("Actor"); actor != j.end() && actor->is_object()) {
      e.id = actor->value("ID", "");
      if (auto attrs = actor->find("Attributes"); attrs != actor->end() && attrs->is_object()) {
        for (const auto& [k, v] : attrs->items()) {
          if (v.is_string()) e.attributes[k] = v.get<std::string>();
        }
      }
    }
    return e;
  } catch (const json::exception&) {
    return std::nullopt;  // a line of another shape than an event's is not one
  }
}

void Engine::events(const std::map<std::string, std::vector<std::string>>& filters,
                    const std::function<void(const Event&)>& on_event, const CancelToken& cancel,
                    const std::string& since) const {
  std::string target = "/events";
  std::string sep = "?";
  if (!filters.empty()) target += std::exchange(sep, "&") + "filters=" + url_encode(json(filters).dump());
  if (!since.empty()) target += sep + "since=" + url_encode(since);
  Connection c(endpoint_, cancel);
  LineSplitter lines([&](std::string_view line) {
    if (auto e = event_of_line(line)) on_event(*e);
  });
  try {
    auto r = c.stream("GET", path(target), {}, [&](std::string_view d) { lines.feed(d); }, /*follow=*/true);
    check(r, "reading engine events");
  } catch (const Error& e) {
    if (cancel.cancelled()) return;
    throw;
  }
}

}  // namespace dlc::engine
