#include "core/remote_workspace.h"

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <random>

#include "core/engine_facts.h"
#include "core/helper_container.h"
#include "core/plan.h"
#include "core/workspace.h"
#include "engine/build_context.h"
#include "inspect/repo.h"
#include "support/archive.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kSnapshotLimit = std::size_t{256} << 20;

// Seconds since the epoch of an RFC 3339 time as the engine writes it ("2024-05-01T12:34:56.5+02:00");
// -1 when it is not one.
long long rfc3339_seconds(const std::string& t) {
  std::tm tm{};
  const char* rest = ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return -1;
  while (*rest == '.' || (*rest >= '0' && *rest <= '9')) ++rest;  // the fraction: seconds are compared
  long long secs = ::timegm(&tm);
  if (*rest == '+' || *rest == '-') {
    int h = 0, m = 0;
    if (std::sscanf(rest + 1, "%d:%d", &h, &m) != 2) return -1;
    long long offset = h * 3600LL + m * 60LL;
    secs += *rest == '+' ? -offset : offset;
  } else if (*rest != 'Z') {
    return -1;
  }
  return secs;
}

std::string short_url(const std::string& url) { return url.size() > 80 ? url.substr(0, 77) + "..." : url; }

}  // namespace

void to_json(json& j, const WorkspaceLocation& l) {
  j = {{"kind", l.kind}, {"machine", l.machine}, {"source", l.source}, {"reused", l.reused}, {"note", l.note}};
  if (!l.volume.empty()) j["volume"] = l.volume;
}

std::string origin_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown";
  return name;
}

std::string workspace_key(const engine::Engine& engine, const std::string& path_or_url) {
  if (!engine.endpoint().local() && inspect::is_remote(path_or_url)) return path_or_url;
  return workspace_folder(path_or_url).string();
}

engine::LabelFilter workspace_filter(const engine::Engine& engine, const std::string& key) {
  engine::LabelFilter f{{kWorkspaceLabel, key}};
  if (!engine.endpoint().local()) f[kOriginLabel] = origin_name();
  return f;
}

std::string workspace_volume(const std::string& key) {
  return "dlcontainer-ws-" + sha256_hex(origin_name() + "\n" + key).substr(0, 16);
}

WorkspaceLocation locate_folder(const engine::Engine& engine, const fs::path& folder) {
  WorkspaceLocation loc;
  loc.machine = engine.endpoint().machine();
  loc.source = folder.string();
  // The folder there, mounted into a container that is only created (never started): the engine's
  // archive call then says whether it exists and when it last changed, without a shell or a copy.
  engine::ContainerSpec spec;
  spec.image = ensure_probe_image(engine);
  spec.entrypoint = std::vector<std::string>{"/dlcontainer-agent"};
  spec.cmd = std::vector<std::string>{"version"};
  spec.network_mode = "none";
  spec.labels = {{kProbeLabel, "location"}};
  spec.mounts.push_back(engine::Mount{.type = "bind", .source = folder.string(), .target = "/w", .read_only = true});
  std::optional<engine::PathStat> there;
  try {
    RemoveOnExit guard{engine, engine.create_container(spec)};
    there = engine.stat_path(guard.id, "/w");
  } catch (const Error& e) {
    // A bind source that is not there is refused at create: that is the answer, not a failure.
    if (e.code() != ErrorCode::EngineError || std::string(e.what()).find("does not exist") == std::string::npos) throw;
  }
  struct stat here {};
  if (there && ::stat(folder.c_str(), &here) == 0 && rfc3339_seconds(there->mtime) == static_cast<long long>(here.st_mtim.tv_sec)) {
    loc.kind = "shared";
    loc.note = folder.string() + " is the same folder on " + loc.machine + " (a shared file system): mounted as it is";
    return loc;
  }
  loc.kind = "copy";
  loc.volume = workspace_volume(folder.string());
  loc.reused = engine.inspect_volume(loc.volume).has_value();
  loc.note = loc.reused ? "a copy of " + folder.string() + " made earlier, in volume " + loc.volume + " on " + loc.machine +
                              ": not copied again; changes made on either side stay on that side"
                        : folder.string() + " copied into volume " + loc.volume + " on " + loc.machine +
                              ": a copy, not kept in sync (changes in the container stay there; commit and push them)";
  if (!loc.reused) {
    engine.create_volume(loc.volume, {{kWorkspaceLabel, folder.string()}, {kOriginLabel, origin_name()}, {kLocationLabel, "copy"}});
  }
  return loc;
}

void copy_into(const engine::Engine& engine, const std::string& container_id, const fs::path& folder, const std::string& target,
               const HostUser& owner, ProgressSink& progress, const CancelToken& cancel) {
  progress.begin("Copying " + folder.string() + " to " + engine.endpoint().machine());
  engine.put_archive(container_id, target, engine::folder_archive(folder, owner.uid, owner.gid), cancel);
  progress.end();
}

WorkspaceLocation clone_on_engine(const engine::Engine& engine, const std::string& url, const std::string& image,
                                  const HostUser& owner, ProgressSink& progress, const CancelToken& cancel) {
  WorkspaceLocation loc;
  loc.kind = "clone";
  loc.machine = engine.endpoint().machine();
  loc.source = url;
  loc.volume = workspace_volume(url);
  loc.reused = engine.inspect_volume(loc.volume).has_value();
  if (loc.reused) {
    loc.note = "the clone of " + short_url(url) + " made earlier, in volume " + loc.volume + " on " + loc.machine + ": not cloned again";
    return loc;
  }
  if (!engine.inspect_image(image)) engine.pull_image(image, progress, cancel);
  engine.create_volume(loc.volume, {{kWorkspaceLabel, url}, {kOriginLabel, origin_name()}, {kLocationLabel, "clone"}});
  progress.begin("Cloning " + short_url(url) + " on " + loc.machine);
  engine::ContainerSpec spec;
  spec.image = image;
  spec.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  spec.cmd = std::vector<std::string>{"git clone --quiet -- \"$0\" /workspace && chown -R \"$1\" /workspace", url,
                                      std::to_string(owner.uid) + ":" + std::to_string(owner.gid)};
  spec.user = "0";
  // The engine host's own network: its DNS, proxies and routes, as a clone made there by hand would use
  // (and an engine without a bridge network has no other).
  spec.network_mode = "host";
  spec.labels = {{kProbeLabel, "clone"}};
  spec.mounts.push_back(engine::Mount{.type = "volume", .source = loc.volume, .target = "/workspace"});
  HelperRun run;
  try {
    run = run_helper(engine, spec, cancel);
  } catch (...) {
    engine.remove_volume(loc.volume);  // ours, just made: a half clone is not kept
    throw;
  }
  progress.end();
  if (run.exit_code != 0) {
    engine.remove_volume(loc.volume);
    std::string why = run.err.empty() ? run.out : run.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    throw Error(ErrorCode::CommandFailed, "git clone " + short_url(url) + " failed on " + loc.machine + ": " + why,
                "check the URL and that " + loc.machine + " can reach it (a private repository needs credentials there)");
  }
  loc.note = short_url(url) + " cloned into volume " + loc.volume + " on " + loc.machine + " (the clone lives there, not here)";
  return loc;
}

WorkspaceSource::~WorkspaceSource() {
  if (scratch.empty()) return;
  std::error_code ec;
  fs::remove_all(scratch, ec);
}

WorkspaceSource workspace_source(const engine::Engine& engine, const std::string& path_or_url, const HostUser& owner,
                                 ProgressSink& progress, const CancelToken& cancel) {
  WorkspaceSource src;
  if (engine.endpoint().local() || !inspect::is_remote(path_or_url)) {
    src.folder = materialize_workspace(path_or_url, cancel);  // a URL on a local engine is cloned here, as always
    src.key = src.folder.string();
    return src;
  }
  src.key = path_or_url;
  std::string image = UserPreferences::load().clone_image;
  src.clone = clone_on_engine(engine, path_or_url, image.empty() ? "alpine/git:latest" : image, owner, progress, cancel);
  const char* tmp = std::getenv("TMPDIR");
  progress.begin("Reading the clone's files to plan for it");
  src.folder = snapshot_for_planning(engine, *src.clone, tmp && *tmp == '/' ? tmp : "/tmp", cancel);
  progress.end();
  src.scratch = src.folder.parent_path();
  return src;
}

void place_workspace(engine::ContainerSpec& spec, const std::string& key, const fs::path& config_folder,
                     const WorkspaceLocation& location, const engine::Endpoint& endpoint, std::vector<std::string>& notes) {
  spec.labels[kWorkspaceLabel] = key;
  spec.labels[kLocalFolderLabel] = key;
  spec.labels[kOriginLabel] = origin_name();
  spec.labels[kEngineLabel] = endpoint.url();
  spec.labels[kLocationLabel] = location.kind;
  if (!location.volume.empty()) spec.labels[kVolumeLabel] = location.volume;
  for (auto& m : spec.mounts) {
    if (m.type != "bind") continue;
    if (m.source == config_folder.string() && location.kind != "shared") {
      m = engine::Mount{.type = "volume", .source = location.volume, .target = m.target};  // the workspace itself
    } else if (m.source != config_folder.string()) {
      notes.push_back("the mount of " + m.source + " at " + m.target + " is a path on " + location.machine + ", not on this machine");
    }
  }
}

WorkspaceLocation location_of(const std::map<std::string, std::string>& labels, const engine::Endpoint& endpoint) {
  auto get = [&](const char* k) {
    auto it = labels.find(k);
    return it == labels.end() ? std::string() : it->second;
  };
  WorkspaceLocation loc;
  loc.machine = endpoint.machine();
  loc.source = get(kWorkspaceLabel);
  loc.kind = get(kLocationLabel).empty() ? (endpoint.local() ? "bind" : "shared") : get(kLocationLabel);
  loc.volume = get(kVolumeLabel);
  loc.reused = loc.kind == "copy" || loc.kind == "clone";
  if (loc.kind == "copy") loc.note = "a copy in volume " + loc.volume + " on " + loc.machine + " (not kept in sync)";
  else if (loc.kind == "clone") loc.note = "the clone in volume " + loc.volume + " on " + loc.machine;
  else if (loc.kind == "shared") loc.note = "the same folder on " + loc.machine + ", mounted";
  return loc;
}

fs::path snapshot_for_planning(const engine::Engine& engine, const WorkspaceLocation& clone, const fs::path& dest_parent,
                               const CancelToken& cancel) {
  engine::ContainerSpec spec;
  spec.image = ensure_probe_image(engine);
  spec.entrypoint = std::vector<std::string>{"/dlcontainer-agent"};
  spec.cmd = std::vector<std::string>{"version"};
  spec.network_mode = "none";
  spec.labels = {{kProbeLabel, "snapshot"}};
  spec.mounts.push_back(engine::Mount{.type = "volume", .source = clone.volume, .target = "/workspace", .read_only = true});
  RemoveOnExit guard{engine, engine.create_container(spec)};
  std::string tar;
  engine.get_archive(guard.id, "/workspace", [&](std::string_view d) {
    if (tar.size() + d.size() > kSnapshotLimit) {
      throw Error(ErrorCode::ConfigInvalid, "the clone of " + short_url(clone.source) + " is larger than 256 MiB: it cannot be planned from here",
                  "add a .devcontainer/devcontainer.json to the repository (dlcontainer init on a smaller checkout writes one)");
    }
    tar.append(d);
  }, cancel);
  std::random_device rd;
  fs::path dest = dest_parent / ("plan-" + std::to_string(rd()));
  fs::create_directories(dest);
  // The archive's entries are under "workspace/"; its history is not what a plan reads.
  extract_tar(tar, dest, "the clone of " + short_url(clone.source), ExtractLimits{.max_entries = 200000, .max_total_bytes = kSnapshotLimit});
  std::error_code ec;
  fs::remove_all(dest / "workspace" / ".git", ec);
  // Named as the repository is, so that its folder in the container is /workspaces/<name>.
  std::string name = fs::path(clone.source).filename().string();
  if (name.ends_with(".git")) name.resize(name.size() - 4);
  if (name.empty() || name == "." || name == "..") name = "workspace";
  fs::rename(dest / "workspace", dest / name, ec);
  return ec ? dest / "workspace" : dest / name;
}

}  // namespace dlc::core
