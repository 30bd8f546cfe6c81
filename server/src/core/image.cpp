#include "core/image.h"

#include <unistd.h>

#include <fstream>

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
// stranger would be worse than a file owned by the wrong uid.
constexpr const char* kUidScript = R"SH(set -e
user="$1"; uid="$2"; gid="$3"
entry=$(awk -F: -v u="$user" '$1 == u' /etc/passwd)
if [ -z "$entry" ]; then echo "dlcontainer: no user $user in the image; uid left as is"; exit 0; fi
old_uid=$(echo "$entry" | cut -d: -f3); old_gid=$(echo "$entry" | cut -d: -f4); home=$(echo "$entry" | cut -d: -f6)
if [ "$old_uid" = "$uid" ] && [ "$old_gid" = "$gid" ]; then exit 0; fi
if awk -F: -v id="$uid" -v u="$user" '$3 == id && $1 != u { found = 1 } END { exit !found }' /etc/passwd; then
  echo "dlcontainer: uid $uid belongs to another user in the image; $user keeps uid $old_uid"; exit 0
fi
sed -i "s/^$user:\([^:]*\):$old_uid:$old_gid:/$user:\1:$uid:$gid:/" /etc/passwd
if ! awk -F: -v id="$gid" '$3 == id { found = 1 } END { exit !found }' /etc/group; then
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

std::string uid_layer_dockerfile(const std::string& base_image, const std::string& user, const HostUser& host) {
  std::string df = "FROM " + base_image + "\nUSER root\nCOPY update-uid.sh /tmp/dlcontainer-update-uid.sh\n";
  df += "RUN /bin/sh /tmp/dlcontainer-update-uid.sh '" + user + "' " + std::to_string(host.uid) + " " +
        std::to_string(host.gid) + " && rm /tmp/dlcontainer-update-uid.sh\n";
  df += "USER " + user + "\n";
  return df;
}

PreparedImage prepare_image(const engine::Engine& engine, const WorkspaceContext& ws, const HostUser& host,
                            bool no_cache, ProgressSink& progress, const CancelToken& cancel) {
  const auto& cfg = ws.config;
  PreparedImage out;
  std::optional<FeatureSet> features;
  if (!ws.inferred && cfg.document.contains("features")) {
    progress.begin("Resolving Features");
    features = resolve_features(ws, fetch_options_for(ws), progress, cancel);
    progress.end(std::to_string(features->features.size()) + " to install");
    if (features->features.empty()) features.reset();  // "features": {} asks for nothing, not even a lockfile
  }
  if (ws.inferred && !ws.inferred->image.empty()) {
    out.ref = ensure_plan_image(engine, *ws.inferred, ws.folder.string(), no_cache, progress, cancel);
  } else if (cfg.build) {
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
    req.target = cfg.build->target;
    req.no_cache = no_cache;
    req.labels = {{kBuiltForLabel, ws.folder.string()}};
    engine.build_image(req, engine::folder_context(cfg.build->context, std::move(extra)), progress, cancel);
    out.ref = req.tags.front();
    progress.end();
  } else {
    out.ref = cfg.image;
    if (!engine.inspect_image(out.ref)) {
      progress.begin("Pulling " + out.ref);
      engine.pull_image(out.ref, progress, cancel);
      progress.end();
    }
  }
  auto info = engine.inspect_image(out.ref);
  if (!info) throw Error(ErrorCode::ImageNotFound, "image " + out.ref + " is missing after it was prepared");
  out.info = *info;
  if (features) add_features(engine, ws, *features, no_cache, out, progress, cancel);

  std::string user = remote_user_of(cfg, out.info.user);
  if (cfg.update_remote_user_uid && host.uid != 0 && !is_root_user(user) &&
      user.find_first_not_of("0123456789:") != std::string::npos) {
    progress.begin("Giving " + user + " your uid " + std::to_string(host.uid));
    engine::BuildRequest req;
    req.tags = {tag_base(ws) + ":uid-" + std::to_string(host.uid) + "-" + std::to_string(host.gid)};
    req.labels = {{kBuiltForLabel, ws.folder.string()}};
    std::vector<engine::ArchiveFile> files = {{"Dockerfile", uid_layer_dockerfile(out.ref, user, host), 0644},
                                              {"update-uid.sh", kUidScript, 0755}};
    std::string context = engine::tar_files(files);
    engine.build_image(req, [&](const engine::DataSink& write) { write(context); }, progress, cancel);
    out.ref = req.tags.front();
    if (auto layered = engine.inspect_image(out.ref)) out.info = *layered;
    progress.end();
  }
  return out;
}

}  // namespace dlc::core
