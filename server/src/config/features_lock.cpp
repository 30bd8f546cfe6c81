#include "config/features_lock.h"

#include <nlohmann/json.hpp>

#include "config/jsonc.h"
#include "support/error.h"
#include "support/files.h"

namespace dlc::config {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path lockfile_path(const fs::path& config_file) {
  bool dotted = config_file.filename().string().starts_with(".");
  return config_file.parent_path() / (dotted ? ".devcontainer-lock.json" : "devcontainer-lock.json");
}

std::optional<Lockfile> read_lockfile(const fs::path& file) {
  auto text = read_file(file.string(), std::size_t{1} << 20);
  if (!text || text->find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  json doc = parse_jsonc(*text, file.string());
  auto bad = [&](const std::string& why) {
    throw Error(ErrorCode::ConfigInvalid, file.string() + ": " + why,
                "fix it, or delete it to have it written afresh from the registry's current versions");
  };
  if (!doc.is_object()) bad("a lockfile holds one JSON object");
  Lockfile lock;
  auto features = doc.find("features");
  if (features == doc.end()) return lock;
  if (!features->is_object()) bad("\"features\" must be an object");
  for (const auto& [id, e] : features->items()) {
    if (!e.is_object()) bad("the entry for '" + id + "' must be an object");
    LockEntry entry;
    for (auto [key, out] : {std::pair{"version", &entry.version}, {"resolved", &entry.resolved}, {"integrity", &entry.integrity}}) {
      auto it = e.find(key);
      if (it == e.end() || it->is_null()) continue;
      if (!it->is_string()) bad("\"" + std::string(key) + "\" of '" + id + "' must be a string");
      *out = it->get<std::string>();
    }
    if (!entry.integrity.empty() && !entry.integrity.starts_with("sha256:"))
      bad("the integrity of '" + id + "' is not a sha256: digest");
    if (auto deps = e.find("dependsOn"); deps != e.end() && deps->is_array()) {
      for (const auto& d : *deps)
        if (d.is_string()) entry.depends_on.push_back(d.get<std::string>());
    }
    lock.features[id] = std::move(entry);
  }
  return lock;
}

std::string lockfile_text(const Lockfile& lock) {
  // ordered_json keeps the reference's key order, so that both tools write the same bytes.
  nlohmann::ordered_json features = nlohmann::ordered_json::object();
  for (const auto& [id, e] : lock.features) {
    nlohmann::ordered_json entry = {{"version", e.version}, {"resolved", e.resolved}, {"integrity", e.integrity}};
    if (!e.depends_on.empty()) entry["dependsOn"] = e.depends_on;
    features[id] = std::move(entry);
  }
  nlohmann::ordered_json doc = {{"features", features}};
  return doc.dump(2) + "\n";
}

bool write_lockfile(const fs::path& file, const Lockfile& lock) {
  std::optional<Lockfile> old;
  try {
    old = read_lockfile(file);
  } catch (const Error&) {
    // A lockfile that no longer parses is rewritten, as the reference does.
  }
  if (old && *old == lock) return false;  // the same content, in whatever layout the user keeps
  if (!write_file_atomically(file.string(), lockfile_text(lock)))
    throw Error(ErrorCode::Internal, "cannot write " + file.string(), "check that the folder is writable");
  return true;
}

}  // namespace dlc::config
