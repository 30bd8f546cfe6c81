#include "core/features.h"

#include <deque>
#include <map>

#include "config/features_order.h"
#include "config/metadata.h"
#include "core/container_plan.h"
#include "core/workspace.h"
#include "core/features_fetch.h"
#include "core/plan.h"
#include "support/error.h"
#include "support/files.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxFeatures = 100;  // dependsOn chains are the input's to make: bounded

struct Pending {
  config::FeatureRequest request;
  std::optional<std::size_t> parent;  // the node whose dependsOn asked for it
};

std::string kind_name(config::FeatureSource::Kind k) {
  switch (k) {
    case config::FeatureSource::Kind::Oci: return "oci";
    case config::FeatureSource::Kind::Local: return "local";
    case config::FeatureSource::Kind::Tarball: return "tarball";
  }
  return "?";
}

std::string env_text(const std::vector<std::pair<std::string, std::string>>& env) {
  std::string out;
  for (const auto& [k, v] : env) out += k + "=" + v + "\n";
  return out;
}

// The node's order fields: identity (the same files with the same option values), sort key, aliases.
config::OrderNode order_node(const InstalledFeature& f) {
  config::OrderNode n;
  const auto& s = f.source;
  n.kind = kind_name(s.kind);
  n.user_id = f.user_id;
  std::string options = env_text(f.env);
  n.key = n.kind + "\n" + s.soft_key() + "@" + f.digest + "\n" + options;
  n.sort_key = s.kind == config::FeatureSource::Kind::Oci
                   ? s.ref.resource() + "\n" + s.ref.tag + "\n" + options + "\n" + f.digest
                   : s.soft_key() + "\n" + options;
  n.aliases = {s.soft_key()};
  if (s.kind == config::FeatureSource::Kind::Oci) {
    // A renamed Feature answers to its old ids in installsAfter and overrideFeatureInstallOrder.
    std::string ns = s.ref.resource().substr(0, s.ref.resource().rfind('/') + 1);
    for (const auto& legacy : f.metadata.legacy_ids) n.aliases.push_back(ns + legacy);
  }
  return n;
}

}  // namespace

std::vector<json> image_metadata_entries(const std::map<std::string, std::string>& labels) {
  auto it = labels.find(kMetadataLabel);
  return it == labels.end() ? std::vector<json>{} : config::parse_metadata_label(it->second);  // bounded, as any label
}

FeatureFetchOptions fetch_options_for(const WorkspaceContext& ws) {
  FeatureFetchOptions o;
  o.mirrors = UserPreferences::load().registry_mirrors;
  o.cache_dir = xdg_dir("XDG_CACHE_HOME", ".cache") / "dlcontainer" / "features";
  if (!ws.config.config_file.empty()) o.lock = config::read_lockfile(config::lockfile_path(ws.config.config_file));
  return o;
}

FeatureSet resolve_features(const WorkspaceContext& ws, const FeatureFetchOptions& options, ProgressSink& progress,
                            const CancelToken& cancel) {
  FeatureSet out;
  const fs::path config_file = ws.config.config_file;
  auto section = config::read_features_section(ws.config.document, config_file.string());
  if (section.empty()) return out;
  registry::Client client(options.mirrors, cancel);
  fs::path cache = options.cache_dir.empty() ? xdg_dir("XDG_CACHE_HOME", ".cache") / "dlcontainer" / "features" : options.cache_dir;

  std::deque<Pending> worklist;
  for (const auto& f : section.features) worklist.push_back({f, std::nullopt});
  std::vector<InstalledFeature> nodes;
  std::vector<config::OrderNode> order;
  std::map<std::string, FetchedFeature> fetched;  // by id as written: one download per id
  std::size_t processed = 0;
  while (!worklist.empty()) {
    if (++processed > kMaxFeatures)
      throw Error(ErrorCode::ConfigInvalid, "the Features and their dependsOn add up to more than " + std::to_string(kMaxFeatures),
                  "check the Features' dependsOn for a chain that does not end");
    Pending p = std::move(worklist.front());
    worklist.pop_front();
    InstalledFeature f;
    f.user_id = p.request.id;
    f.from_config = !p.parent;
    f.source = config::classify_feature(p.request.id, config_file, ws.folder);
    if (!f.source.warning.empty()) out.notes.push_back(f.source.warning);
    std::optional<config::LockEntry> locked;
    if (options.lock)
      if (auto it = options.lock->features.find(p.request.id); it != options.lock->features.end()) locked = it->second;
    auto hit = fetched.find(p.request.id);
    if (hit == fetched.end()) {
      progress.report("resolving Feature " + p.request.id);
      hit = fetched.emplace(p.request.id, fetch_feature(f.source, locked, client, cache, progress, cancel)).first;
    }
    f.folder = hit->second.folder;
    f.digest = hit->second.digest;
    f.integrity = hit->second.integrity;
    std::string meta_file = (f.folder / "devcontainer-feature.json").string();
    auto text = read_file(meta_file, std::size_t{1} << 20);
    if (!text)
      throw Error(ErrorCode::ConfigInvalid, "Feature '" + f.user_id + "' has no devcontainer-feature.json",
                  "a Feature is a folder with devcontainer-feature.json and install.sh");
    f.metadata = config::parse_feature_metadata(*text, "Feature '" + f.user_id + "' (devcontainer-feature.json)");
    auto env = config::feature_option_env(f.metadata, p.request.options, f.user_id);
    f.env = std::move(env.vars);
    out.notes.insert(out.notes.end(), env.warnings.begin(), env.warnings.end());
    f.entry = config::feature_metadata_entry(f.user_id, f.metadata);

    auto node = order_node(f);
    std::size_t index = nodes.size();
    for (std::size_t i = 0; i < order.size(); ++i)
      if (order[i].key == node.key) index = i;
    if (p.parent) order[*p.parent].depends_on.push_back(node.key);
    if (index != nodes.size()) continue;  // already there (the user's, or another's dependency)
    for (const auto& after : f.metadata.installs_after)
      node.installs_after.push_back(config::classify_feature(after, config_file, ws.folder).soft_key());
    for (const auto& dep : f.metadata.depends_on) worklist.push_back({dep, index});
    nodes.push_back(std::move(f));
    order.push_back(std::move(node));
  }

  std::vector<std::string> override_keys;
  for (const auto& id : section.override_install_order)
    override_keys.push_back(config::classify_feature(id, config_file, ws.folder).soft_key());
  for (const auto& missing : config::apply_override_order(order, override_keys))
    out.notes.push_back("overrideFeatureInstallOrder names " + missing + ", which is not among the Features to install");
  for (auto i : config::install_order(order)) out.features.push_back(nodes[i]);

  // The lockfile: every registry and tarball Feature, by id as written, as the reference writes it.
  for (const auto& f : out.features) {
    if (f.source.kind == config::FeatureSource::Kind::Local) continue;
    config::LockEntry e{.version = f.metadata.version, .resolved = fetched.at(f.user_id).resolved, .integrity = f.integrity};
    for (const auto& dep : f.metadata.depends_on) e.depends_on.push_back(dep.id);
    out.lock.features[f.user_id] = std::move(e);
  }
  return out;
}

}  // namespace dlc::core
