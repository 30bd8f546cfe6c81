#include "core/image.h"

#include <unistd.h>

#include <fstream>

#include "core/container_settings.h"
#include "core/features.h"
#include "core/features_build.h"
#include "core/features_gpu.h"
#include "core/workspace.h"
#include "engine/build_context.h"
#include "support/error.h"

namespace dlc::core {

namespace {

// Rewrites /etc/passwd and /etc/group with sed and awk (present even in minimal images) rather than
// usermod, which slim images lack. A uid already held by another user is left alone: renumbering a
// stranger would be worse than a file owned by the wrong uid. A gid held by another group is not
// taken either: the user keeps its own group (as the reference's layer does), not joins a stranger's.
constexpr const char* kUidScript = R"SH(set -e
user="$1"; uid="$2"; gid="$3"
entry=$(awk -F: -v u="$user" '$1 == u' /etc/passwd)
if [ -z "$entry" ]; then echo "dlcontainer: no user $user in the image; uid left as is"; exit 0; fi
old_uid=$(echo "$entry" | cut -d: -f3); old_gid=$(echo "$entry" | cut -d: -f4); home=$(echo "$entry" | cut -d: -f6)
if [ "$old_uid" = "$uid" ] && [ "$old_gid" = "$gid" ]; then exit 0; fi
if awk -F: -v id="$uid" -v u="$user" '$3 == id && $1 != u { found = 1 } END { exit !found }' /etc/passwd; then
  echo "dlcontainer: uid $uid belongs to another user in the image; $user keeps uid $old_uid"; exit 0
fi
if [ "$old_gid" != "$gid" ] && awk -F: -v id="$gid" '$3 == id { found = 1 } END { exit !found }' /etc/group; then
  echo "dlcontainer: gid $gid belongs to another group in the image; $user keeps gid $old_gid"; gid="$old_gid"
fi
sed -i "s/^$user:\([^:]*\):$old_uid:$old_gid:/$user:\1:$uid:$gid:/" /etc/passwd
if [ "$old_gid" != "$gid" ]; then
  sed -i "s/^\([^:]*\):\([^:]*\):$old_gid:/\1:\2:$gid:/" /etc/group
fi
if [ -d "$home" ]; then chown -R "$uid:$gid" "$home"; fi
)SH";

bool is_root_user(const std::string& user) { return user.empty() || user == "root" || user == "0" || user.starts_with("0:"); }

std::string tag_base(const WorkspaceContext& ws) { return "dlcontainer/" + ws.container_name; }

// Installs the resolved Features over out's image, writes devcontainer-lock.json as the reference
// does, and moves out to the image with them.
void add_features(const engine::Engine& engine, const WorkspaceContext& ws, FeatureSet& set, bool no_cache, PreparedImage& out,
                  ProgressSink& progress, const CancelToken& cancel) {
  apply_gpu_knowledge(set, out.info, [] { return gpu::read_host_facts(); });
  auto lock_file = config::lockfile_path(ws.config.config_file);
  if (config::write_lockfile(lock_file, set.lock)) progress.output("wrote " + lock_file.string());
  for (const auto& note : set.notes) {
    progress.output("warning: " + note);
    out.warnings.push_back(note);
  }
  if (set.features.empty()) return;
  auto users = feature_users(ws.config, out.info);
  out.ref = build_features_image(engine, set, out.info, out.ref, users, ws.folder.string(), no_cache, progress, cancel);
  auto info = engine.inspect_image(out.ref);
  if (!info) throw Error(ErrorCode::ImageNotFound, "image " + out.ref + " is missing after its Features were installed");
  out.info = *info;
  for (const auto& f : set.features) out.features.push_back(f.user_id);
}

}  // namespace

HostUser HostUser::current() { return {static_cast<unsigned>(::getuid()), static_cast<unsigned>(::getgid())}; }

std::string uid_layer_dockerfile(const std::string& base_image, const std::string& user, const HostUser& host,
                                 const std::string& image_user) {
  std::string df = "FROM " + base_image + "\nUSER root\nCOPY update-uid.sh /tmp/dlcontainer-update-uid.sh\n";
  df += "RUN /bin/sh /tmp/dlcontainer-update-uid.sh '" + user + "' " + std::to_string(host.uid) + " " +
        std::to_string(host.gid) + " && rm /tmp/dlcontainer-update-uid.sh\n";
  df += "USER " + (image_user.empty() ? std::string("root") : image_user) + "\n";
  return df;
}

namespace {

// Builds the workspace's Dockerfile with build.args, build.target and build.options.
std::string build_workspace_image(const engine::Engine& engine, const WorkspaceContext& ws, bool no_cache,
                                  ProgressSink& progress, const CancelToken& cancel) {
  const auto& cfg = ws.config;
  const auto& opts = cfg.build->options;
  progress.begin("Building image from " + cfg.build->dockerfile);
  engine::BuildRequest req;
  req.tags = {tag_base(ws) + ":latest"};
  std::error_code ec;
  auto rel = std::filesystem::relative(cfg.build->dockerfile, cfg.build->context, ec);
  bool inside = !ec && !rel.empty() && !rel.string().starts_with("..");
  std::vector<engine::ArchiveFile> extra;
  if (inside) {
    req.dockerfile = rel.generic_string();
  } else {
    // A Dockerfile outside its context travels inside the archive under a name of its own.
    std::ifstream in(cfg.build->dockerfile, std::ios::binary);
    if (!in) throw Error(ErrorCode::ConfigInvalid, "cannot read the Dockerfile " + cfg.build->dockerfile,
                         "check build.dockerfile in " + cfg.config_file);
    extra.push_back({".dlcontainer.Dockerfile", std::string(std::istreambuf_iterator<char>(in), {}), 0644});
    req.dockerfile = ".dlcontainer.Dockerfile";
  }
  if (!std::filesystem::is_directory(cfg.build->context)) {
    throw Error(ErrorCode::ConfigInvalid, "the build context " + cfg.build->context + " is not a folder",
                "check build.context in " + cfg.config_file);
  }
  req.build_args = cfg.build->args;
  for (const auto& [k, v] : opts.build_args) req.build_args[k] = v;  // options come later on the command line
  req.target = opts.target.empty() ? cfg.build->target : opts.target;
  req.no_cache = no_cache || opts.no_cache;
  req.pull = opts.pull;
  req.platform = !opts.platform.empty() ? opts.platform : cfg.run_args.platform;
  req.network_mode = opts.network;
  req.extra_hosts = opts.add_hosts;
  req.cache_from = no_cache ? std::vector<std::string>{} : cfg.build->cache_from;
  req.labels = opts.labels;
  req.labels[kBuiltForLabel] = ws.folder.string();
  engine.build_image(req, engine::folder_context(cfg.build->context, std::move(extra)), progress, cancel);
  progress.end();
  return req.tags.front();
}

}  // namespace

PreparedImage prepare_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                            bool no_cache, ProgressSink& progress, const CancelToken& cancel) {
  const auto& cfg = ws.config;
  PreparedImage out;
  auto features = workspace_features(ws, progress, cancel);  // before any image work: fails fast
  std::optional<engine::ImageInfo> present;  // the image's inspect when it was there already
  if (ws.inferred && !ws.inferred->image.empty()) {
    out.ref = ensure_plan_image(engine, *ws.inferred, ws.folder.string(), no_cache, progress, cancel);
  } else if (cfg.build) {
    out.ref = build_workspace_image(engine, ws, no_cache, progress, cancel);
  } else {
    out.ref = cfg.image;
    present = engine.inspect_image(out.ref);
    if (!present) {
      progress.begin("Pulling " + out.ref);
      engine.pull_image(out.ref, progress, cancel, cfg.run_args.platform);
      progress.end();
    }
  }
  return finish_image(engine, ws, host, out.ref, std::move(features), no_cache, progress, cancel, std::move(present));
}

std::optional<FeatureSet> workspace_features(const WorkspaceContext& ws, ProgressSink& progress, const CancelToken& cancel) {
  if (ws.inferred || !ws.config.document.contains("features")) return std::nullopt;
  progress.begin("Resolving Features");
  auto features = resolve_features(ws, fetch_options_for(ws), progress, cancel);
  progress.end(std::to_string(features.features.size()) + " to install");
  if (features.features.empty()) return std::nullopt;  // "features": {} asks for nothing, not even a lockfile
  return features;
}

PreparedImage finish_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                           const std::string& ref, std::optional<FeatureSet> features, bool no_cache,
                           ProgressSink& progress, const CancelToken& cancel, std::optional<engine::ImageInfo> known) {
  const auto& cfg = ws.config;
  PreparedImage out;
  out.ref = ref;
  auto info = known ? std::move(known) : engine.inspect_image(out.ref);
  if (!info) throw Error(ErrorCode::ImageNotFound, "image " + out.ref + " is missing after it was prepared");
  out.info = *info;
  if (features) add_features(engine, ws, *features, no_cache, out, progress, cancel);
  out.base = out.info;

  // The image's metadata, then the Features' (the Features image's label holds the image's entries,
  // then one per Feature, marked with its "id"), then the config's.
  std::string problem;
  auto label = out.base.labels.find(config::kMetadataLabel);
  if (label != out.base.labels.end()) {
    for (auto& entry : config::parse_metadata_label(label->second, &problem))
      (entry.contains("id") ? out.metadata.features : out.metadata.image).push_back(std::move(entry));
  }
  if (!problem.empty()) out.warnings.push_back("image " + out.ref + ": " + problem);
  out.metadata.config = config::config_entry(cfg.document);
  out.merged = config::merge_metadata(out.metadata.entries(), substitution_for(ws), "image " + out.ref + "'s metadata");
  out.config = config::apply_merged(cfg, out.merged);

  std::string user = remote_user_of(out.config, out.base.user);
  if (out.config.update_remote_user_uid && host.uid != 0 && !is_root_user(user) &&
      user.find_first_not_of("0123456789:") != std::string::npos) {
    progress.begin("Giving " + user + " your uid " + std::to_string(host.uid));
    engine::BuildRequest req;
    req.tags = {tag_base(ws) + ":uid-" + std::to_string(host.uid) + "-" + std::to_string(host.gid)};
    req.labels = {{kBuiltForLabel, ws.folder.string()}};
    req.platform = cfg.run_args.platform;
    std::vector<engine::ArchiveFile> files = {{"Dockerfile", uid_layer_dockerfile(out.ref, user, host, out.base.user), 0644},
                                              {"update-uid.sh", kUidScript, 0755}};
    std::string context = engine::tar_files(files);
    engine.build_image(req, [&](const engine::DataSink& write) { write(context); }, progress, cancel);
    out.ref = req.tags.front();
    if (auto layered = engine.inspect_image(out.ref)) out.info = *layered;
    progress.end();
  }
  return out;
}

WorkspaceContext with_image(WorkspaceContext ws, const PreparedImage& image) {
  ws.config = image.config;
  ws.metadata = image.metadata.entries();
  ws.merged = image.merged;
  return ws;
}

}  // namespace dlc::core
