#include "core/features_build.h"

#include <unistd.h>

#include <random>

#include "core/workspace.h"
#include "engine/build_context.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The text inside single quotes in sh.
std::string sq(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out;
}

// ENV values as the reference writes them: " and \ escaped, $ left for the builder to expand (a
// Feature's containerEnv may extend PATH with ${PATH}).
std::string env_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// A user's home folder from the image's passwd, with getent when the image has it.
std::string home_of(const std::string& user) {
  return "$( (command -v getent >/dev/null 2>&1 && getent passwd '" + sq(user) + "' || grep -E '^" + sq(user) +
         ":' /etc/passwd || true) | cut -d: -f6)";
}

// Runs one Feature's install.sh with its options and the spec's variables in its environment, and
// names the Feature when it fails.
std::string install_wrapper(const InstalledFeature& f) {
  std::string name = f.metadata.name.empty() ? f.metadata.id : f.metadata.name;
  std::string options;
  for (const auto& [k, v] : f.env) options += "echo '    " + sq(k + "=" + v) + "'\n";
  std::string failed = "ERROR: Feature \"" + name + "\" (" + f.user_id + ") failed to install!";
  if (!f.metadata.documentation_url.empty())
    failed += " Look at the documentation at " + f.metadata.documentation_url + " for help troubleshooting this error.";
  return "#!/bin/sh\nset -e\n\non_exit () {\n\t[ $? -eq 0 ] && exit\n\techo '" + sq(failed) +
         "'\n}\n\ntrap on_exit EXIT\n\n"
         "echo ===========================================================================\n" +
         (f.metadata.deprecated ? "echo '(!) WARNING: Using the deprecated Feature \"" + sq(f.metadata.id) + "\".'\n" : "") +
         "echo 'Feature       : " + sq(name) + "'\necho 'Id            : " + sq(f.user_id) + "'\necho 'Version       : " +
         sq(f.metadata.version) + "'\necho 'Options       :'\n" + options +
         "echo ===========================================================================\n\n"
         "set -a\n. ../devcontainer-features.builtin.env\n. ./devcontainer-features.env\nset +a\n\n"
         "chmod +x ./install.sh\n./install.sh\n";
}

std::string folder_name(const InstalledFeature& f, std::size_t index) { return f.metadata.id + "_" + std::to_string(index); }

}  // namespace

FeatureUsers feature_users(const config::DevcontainerConfig& config, const engine::ImageInfo& base) {
  FeatureUsers u;
  std::string meta_container, meta_remote;
  for (const auto& e : image_metadata_entries(base.labels)) {  // later entries win
    if (auto c = e.find("containerUser"); c != e.end() && c->is_string() && !c->get<std::string>().empty()) meta_container = *c;
    if (auto r = e.find("remoteUser"); r != e.end() && r->is_string() && !r->get<std::string>().empty()) meta_remote = *r;
  }
  u.container_user = !config.container_user.empty() ? config.container_user
                     : !meta_container.empty()       ? meta_container
                     : !base.user.empty()            ? base.user
                                                     : "root";
  u.remote_user = !config.remote_user.empty() ? config.remote_user : !meta_remote.empty() ? meta_remote : u.container_user;
  return u;
}

FeaturesBuildPlan features_build_plan(const FeatureSet& set, const engine::ImageInfo& base, const std::string& base_ref,
                                      const FeatureUsers& users) {
  FeaturesBuildPlan plan;
  const std::string dir = kFeaturesFolder;
  std::string df = "FROM " + base_ref + "\nUSER root\nCOPY devcontainer-features.builtin.env " + dir + "/\n";
  df += "RUN chmod -R 0755 " + dir + " \\\n && echo \"_CONTAINER_USER_HOME=" + home_of(users.container_user) + "\" >> " + dir +
        "/devcontainer-features.builtin.env \\\n && echo \"_REMOTE_USER_HOME=" + home_of(users.remote_user) + "\" >> " + dir +
        "/devcontainer-features.builtin.env\n";
  plan.generated.emplace_back("devcontainer-features.builtin.env",
                              "_CONTAINER_USER=" + users.container_user + "\n_REMOTE_USER=" + users.remote_user + "\n");
  json entries = json::array();
  for (const auto& e : image_metadata_entries(base.labels)) entries.push_back(e);
  std::string hashed = "features-image v1\n" + base.id + "\n" + users.container_user + "\n" + users.remote_user + "\n";
  for (std::size_t i = 0; i < set.features.size(); ++i) {
    const auto& f = set.features[i];
    std::string folder = folder_name(f, i);
    // Each Feature's containerEnv is in force for the Features after it, as the spec says.
    for (const auto& [k, v] : f.metadata.container_env) df += "ENV " + k + "=\"" + env_value(v) + "\"\n";
    df += "COPY --chown=root:root " + folder + " " + dir + "/" + folder + "\n";
    df += "RUN chmod -R 0755 " + dir + "/" + folder + " \\\n && cd " + dir + "/" + folder +
          " \\\n && chmod +x ./devcontainer-features-install.sh \\\n && ./devcontainer-features-install.sh\n";
    std::string env_file = config::feature_env_file(f.env);
    plan.generated.emplace_back(folder + "/devcontainer-features.env", env_file);
    plan.generated.emplace_back(folder + "/devcontainer-features-install.sh", install_wrapper(f));
    entries.push_back(f.entry);
    hashed += f.user_id + "\n" + f.digest + "\n" + env_file + "\n" + f.entry.dump() + "\n";
  }
  df += "USER " + (base.user.empty() ? std::string("root") : base.user) + "\n";
  plan.dockerfile = df;
  plan.metadata_label = entries.dump();
  plan.hash = sha256_hex(hashed + df).substr(0, 20);
  plan.tag = "dlcontainer/features:" + plan.hash;
  return plan;
}

std::string build_features_image(const engine::Engine& engine, const FeatureSet& set, const engine::ImageInfo& base,
                                 const std::string& base_ref, const FeatureUsers& users, const std::string& built_for,
                                 bool no_cache, ProgressSink& progress, const CancelToken& cancel) {
  auto plan = features_build_plan(set, base, base_ref, users);
  std::string names;
  for (const auto& f : set.features) names += (names.empty() ? "" : ", ") + f.user_id;
  if (!no_cache && engine.inspect_image(plan.tag)) {
    progress.begin("Features: " + names);
    progress.end("already installed in " + plan.tag);
    return plan.tag;
  }
  progress.begin("Installing Features: " + names);
  // The context is staged in a folder of its own: each Feature's files with its generated ones.
  std::random_device rd;
  fs::path stage = fs::temp_directory_path() / ("dlcontainer-features-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{stage};
  std::error_code ec;
  fs::create_directories(stage, ec);
  for (std::size_t i = 0; i < set.features.size(); ++i) {
    fs::copy(set.features[i].folder, stage / folder_name(set.features[i], i),
             fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    if (ec) throw Error(ErrorCode::Internal, "cannot stage Feature '" + set.features[i].user_id + "': " + ec.message());
  }
  std::vector<engine::ArchiveFile> extra;
  for (const auto& [path, content] : plan.generated) extra.push_back({path, content, path.ends_with(".sh") ? 0755 : 0644});
  extra.push_back({"Dockerfile", plan.dockerfile, 0644});
  engine::BuildRequest req;
  req.tags = {plan.tag};
  req.no_cache = no_cache;
  req.labels = {{kMetadataLabel, plan.metadata_label}, {kFeaturesLabel, plan.hash}, {kBuiltForLabel, built_for}};
  engine.build_image(req, engine::folder_context(stage, std::move(extra)), progress, cancel);
  progress.end("installed in " + plan.tag);
  return plan.tag;
}

}  // namespace dlc::core
