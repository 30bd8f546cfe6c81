#include "core/workspace.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/container_plan.h"
#include "core/features_apply.h"
#include "core/gpu.h"
#include "core/image.h"
#include "core/lifecycle.h"
#include "core/status_cache.h"
#include "services/services.h"
#include "core/engine_facts.h"
#include "core/plan.h"
#include "core/remote_workspace.h"
#include "inspect/repo.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

// Across processes too: two `dlcontainer up` started at once must not make two containers.
class FileLock {
 public:
  explicit FileLock(const std::string& key) {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    fs::path dir = fs::path(runtime && *runtime ? runtime : "/tmp") / ("dlcontainer-" + std::to_string(::getuid()));
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
    fd_ = ::open((dir / (sha256_hex(key).substr(0, 16) + ".lock")).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }

 private:
  int fd_ = -1;
};

// The workspace's container: the newest one labelled with its key (and, on a remote engine, made
// from this machine).
std::optional<engine::ContainerSummary> find_container(const engine::Engine& engine, const std::string& key) {
  auto found = engine.list_containers(workspace_filter(engine, key));
  if (found.empty()) return std::nullopt;
  auto newest = std::max_element(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
  return *newest;
}

engine::ContainerSummary require_container(const engine::Engine& engine, const std::string& key) {
  auto c = find_container(engine, key);
  if (!c) {
    std::string where = engine.endpoint().local() ? "" : " on " + engine.endpoint().machine();
    throw Error(ErrorCode::ContainerNotFound, "no container for " + key + where,
                "run `dlcontainer up " + key + (engine.endpoint().local() ? "" : " --host " + engine.endpoint().url()) + "` first");
  }
  return *c;
}

CommandContext command_context(const engine::ContainerInfo& info) {
  auto meta = read_metadata(info.labels);
  return CommandContext{.container_id = info.id,
                        .user = meta.remote_user,
                        .working_dir = meta.workspace_folder,
                        .env = remote_environment(meta.remote_env, info.env)};
}

config::Substitution substitution_of(const WorkspaceContext& ws) {
  config::Substitution vars;
  vars.local_workspace_folder = ws.folder.string();
  vars.container_workspace_folder = ws.remote_workspace_folder;
  vars.devcontainer_id = ws.devcontainer_id;
  return vars;
}

// A hook's commands: the installed Features' first (in their install order, from the container's
// label), then devcontainer.json's.
void run_hook(const engine::Engine& engine, const CommandContext& ctx, const std::vector<nlohmann::json>& features, const char* name,
              const config::LifecycleCommand& own, UpResult& result, ProgressSink& progress, const CancelToken& cancel) {
  bool ran = false;
  for (const auto& f : feature_commands(features, name)) {
    run_lifecycle(engine, std::string(name) + " of Feature " + f.feature, f.command, ctx, progress, cancel);
    ran = true;
  }
  if (!own.empty()) {
    run_lifecycle(engine, name, own, ctx, progress, cancel);
    ran = true;
  }
  if (ran) result.commands_run.push_back(name);
}

void run_start_commands(const engine::Engine& engine, const WorkspaceContext& ws, const CommandContext& ctx,
                        const std::vector<nlohmann::json>& features, bool created, UpResult& result, ProgressSink& progress,
                        const CancelToken& cancel) {
  const auto& c = ws.config;
  auto run = [&](const char* name, const config::LifecycleCommand& cmd) {
    run_hook(engine, ctx, features, name, cmd, result, progress, cancel);
  };
  // Create-time commands: once per container, retried by a later `up` until they succeed.
  if (created || !create_commands_done(engine, ctx.container_id)) {
    run("onCreateCommand", c.on_create_command);
    run("updateContentCommand", c.update_content_command);
    run("postCreateCommand", c.post_create_command);
    mark_create_commands_done(engine, ctx.container_id);
  }
}

}  // namespace

fs::path workspace_folder(const std::string& path_or_url) {
  // A git URL names the folder it is cloned into (`up URL` clones it first; core/plan.h).
  std::string path = inspect::is_remote(path_or_url) ? clone_folder_for(path_or_url).string() : path_or_url;
  if (path != path_or_url && !fs::exists(path)) {
    throw Error(ErrorCode::PathNotFound, path_or_url + " is not cloned yet", "run `dlcontainer up " + path_or_url + "` to clone and open it");
  }
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path.empty() ? "." : path), ec);
  if (ec || !fs::exists(p)) {
    throw Error(ErrorCode::PathNotFound, "the workspace folder " + path + " does not exist",
                "give the path of the repository to open, e.g. `dlcontainer up ~/src/paper`");
  }
  if (!fs::is_directory(p)) {
    throw Error(ErrorCode::PathNotFound, path + " is not a folder", "give the repository's folder, not a file in it");
  }
  return p;
}

Workspaces::Workspaces(engine::Engine engine)
    : engine_(std::move(engine)), cache_(std::make_unique<StatusCache>()), config_hashes_(std::make_unique<ConfigHashes>()) {}

Workspaces::~Workspaces() = default;

namespace {

// Whatever up or down did (or failed halfway through), the next status asks the engine again, so a
// client reads its own writes without waiting for the events to arrive.
struct InvalidateOnExit {
  StatusCache& cache;
  std::string folder;
  ~InvalidateOnExit() { cache.invalidate(folder); }
};

// A mount given beside devcontainer.json (`up --mount`, an editor's setting): its form, and a bind
// source that exists (the engine would otherwise fail late, or create an empty folder as root). On a
// remote engine the source is a path there, which only the engine can check (it refuses a missing one).
engine::Mount extra_mount(const std::string& text, bool local) {
  engine::Mount mount;
  try {
    mount = config::parse_mount(nlohmann::json(text));
  } catch (const Error& e) {
    throw Error(ErrorCode::InvalidArgument, "--mount " + text + ": " + e.what(),
                "write type=bind,source=/host/path,target=/container/path[,readonly]");
  }
  if (local && mount.type == "bind" && !fs::exists(mount.source)) {
    throw Error(ErrorCode::PathNotFound, "--mount " + text + ": " + mount.source + " does not exist",
                "create it, or give the host folder that holds the data");
  }
  return mount;
}

}  // namespace

std::shared_ptr<std::mutex> Workspaces::lock_for(const std::string& workspace) {
  std::lock_guard lock(locks_mu_);
  auto& m = locks_[workspace];
  if (!m) m = std::make_shared<std::mutex>();
  return m;
}

const gpu::HostFacts* Workspaces::planning_facts() {
  if (engine_.endpoint().local()) return nullptr;
  std::lock_guard lock(facts_mu_);
  if (!facts_) facts_ = engine_host_facts(engine_).facts;
  return &*facts_;
}

namespace {

// Creates and starts a new container for the workspace; on a remote engine its files are placed
// first (shared, copied into a volume, or the clone's volume). Nothing made by this call is left when
// it fails.
std::string create_and_start(const engine::Engine& engine, const WorkspaceContext& ws, const WorkspaceSource& src,
                             const PreparedImage& image, const GpuPlan& gpus, UpResult& result, ProgressSink& progress,
                             const CancelToken& cancel) {
  const bool local = engine.endpoint().local();
  // A remote engine publishes on its own loopback, where it picks a free port: this machine's are not its.
  auto spec = container_spec(ws, image.ref, image.info.user, local ? PortPicker(pick_free_port) : [](const std::string&, int) { return 0; });
  apply_feature_entries(feature_entries(image.info.labels, substitution_of(ws)), ws.config.override_command, image.info, spec);
  spec.labels[kMetadataLabel] = container_metadata_label(image.info.labels, spec.labels[kMetadataLabel]);
  attach_gpus(gpus, spec, image.info);
  std::optional<WorkspaceLocation> loc;
  if (!local) {
    loc = src.clone ? *src.clone : locate_folder(engine, src.folder);
    place_workspace(spec, src.key, src.folder, *loc, engine.endpoint(), result.warnings);
  }
  bool fresh_copy = loc && loc->kind == "copy" && !loc->reused;
  cancel.throw_if_cancelled();
  std::string id;
  try {
    progress.begin("Creating " + spec.name);
    // A container of this name that is not labelled for this workspace is someone else's: never removed.
    id = engine.create_container(spec);
    progress.end();
    if (fresh_copy) copy_into(engine, id, src.folder, ws.remote_workspace_folder, HostUser::current(), progress, cancel);
    engine.start_container(id);
  } catch (const Error&) {
    if (!id.empty()) engine.remove_container(id, true, false);  // ours, just made, never started: nothing to keep
    if (fresh_copy) engine.remove_volume(loc->volume);         // the copy this call began
    throw;
  }
  if (loc) result.location = *loc;
  return id;
}

}  // namespace

UpResult Workspaces::up(const UpParams& params, ProgressSink& progress, const CancelToken& cancel) {
  const bool local = engine_.endpoint().local();
  // A git URL is cloned first: here for a local engine, there (into a volume) for a remote one.
  WorkspaceSource src = workspace_source(engine_, params.workspace, HostUser::current(), progress, cancel);
  WorkspaceContext ws = load_workspace(src.folder, params.config, planning_facts());  // a broken config changes nothing
  if (src.clone) ws.container_name = container_name_for(fs::path(src.key));
  auto mu = lock_for(src.key);
  std::lock_guard in_process(*mu);
  FileLock across_processes(src.key);
  InvalidateOnExit invalidate{*cache_, src.key};
  cancel.throw_if_cancelled();

  UpResult result;
  result.workspace = src.key;
  result.engine = engine_.endpoint().url();
  result.config_file = ws.config.config_file;
  result.remote_workspace_folder = ws.remote_workspace_folder;

  auto existing = find_container(engine_, src.key);
  // Mounts asked for by this call are checked before anything is made; they join a new container.
  for (const auto& m : params.mounts) ws.config.mounts.push_back(extra_mount(m, local));
  // GPUs are decided before any image work: a GPU the host cannot give refuses here, with nothing made.
  std::optional<GpuPlan> gpus;
  if (!existing || params.rebuild) gpus = plan_gpus(engine_, ws, params);
  std::optional<PreparedImage> image;
  if (existing && params.rebuild) {
    // Build first: a rebuild whose image fails to build leaves the old container in place.
    image = prepare_image(engine_, ws, HostUser::current(), true, progress, cancel);
    progress.begin("Removing the old container");
    engine_.remove_container(existing->id, /*force=*/true, /*remove_volumes=*/false);
    progress.end();
    existing.reset();
  }

  // A restarted X server has a new cookie: the mounted copy follows it (no-op without gui).
  if (existing && local) services::refresh_display(ws.config.dlcontainer, ws.container_name);

  std::string id;
  bool created = false;
  if (existing) {
    id = existing->id;
    if (existing->state != "running") {
      progress.begin("Starting " + existing->name);
      engine_.start_container(id);
      progress.end();
      result.action = "started";
    } else {
      result.action = "running";
    }
  } else {
    if (!image) image = prepare_image(engine_, ws, HostUser::current(), params.no_cache || params.rebuild, progress, cancel);
    id = create_and_start(engine_, ws, src, *image, *gpus, result, progress, cancel);
    created = true;
    result.action = "created";
  }

  auto info = engine_.inspect_container(id);
  if (!info) throw Error(ErrorCode::ContainerNotFound, "the container vanished while starting", "run `dlcontainer up` again");
  result.container_id = info->id;
  result.container_name = info->name;
  result.image = info->image;
  result.ports = info->ports;
  result.out_of_date = info->labels[kConfigHashLabel] != ws.config_hash;
  result.gpu = gpu_attachment_of(info->labels);
  if (!created || result.location.machine.empty()) result.location = location_of(info->labels, engine_.endpoint());
  auto ctx = command_context(*info);
  result.remote_user = ctx.user;
  result.remote_workspace_folder = ctx.working_dir;
  if (image) {
    result.features = image->features;
    result.warnings = image->warnings;
  }
  // The container's own label says which Features it has: the same on a later `up`, with no registry asked.
  auto features = feature_entries(info->labels, substitution_of(ws));

  if (result.action != "running") {
    run_start_commands(engine_, ws, ctx, features, created, result, progress, cancel);
    run_hook(engine_, ctx, features, "postStartCommand", ws.config.post_start_command, result, progress, cancel);
  } else if (!create_commands_done(engine_, id)) {
    run_start_commands(engine_, ws, ctx, features, false, result, progress, cancel);
  }
  return result;
}

DownResult Workspaces::down(const DownParams& params) {
  std::string key = workspace_key(engine_, params.workspace);
  auto mu = lock_for(key);
  std::lock_guard in_process(*mu);
  FileLock across_processes(key);
  InvalidateOnExit invalidate{*cache_, key};
  DownResult result{.workspace = key, .action = "none"};
  auto c = find_container(engine_, key);
  if (!c) return result;
  result.container_id = c->id;
  if (params.remove) {
    engine_.remove_container(c->id, /*force=*/true, /*remove_volumes=*/false);
    result.action = "removed";
  } else {
    engine_.stop_container(c->id);
    result.action = "stopped";
  }
  return result;
}

WorkspaceStatus Workspaces::status(const StatusParams& params) {
  std::string key = workspace_key(engine_, params.workspace);
  auto view = cache_->find(key);
  if (!view) {
    auto ticket = cache_->ticket(key);
    view.emplace();
    WorkspaceStatus& s = view->status;
    s.workspace = key;
    s.state = "none";
    s.engine = engine_.endpoint().url();
    auto c = find_container(engine_, key);
    auto info = c ? engine_.inspect_container(c->id) : std::nullopt;
    if (info) {
      auto meta = read_metadata(info->labels);
      s.state = info->state.status;
      s.container_id = info->id;
      s.container_name = info->name;
      s.image = info->image;
      s.config_file = info->labels[kConfigFileLabel];
      s.remote_user = meta.remote_user;
      s.remote_workspace_folder = meta.workspace_folder;
      s.started_at = info->state.started_at;
      s.ports = info->ports;
      s.gpu = gpu_attachment_of(info->labels);
      s.location = location_of(info->labels, engine_.endpoint());
      view->config_hash = info->labels[kConfigHashLabel];
    }
    cache_->store(ticket, *view);
  }
  WorkspaceStatus s = std::move(view->status);
  // A clone's configuration is on the engine's host, not here: it is compared at `up`.
  if (s.state == "none" || s.location.kind == "clone") return s;
  fs::path folder = key;
  // Out of date when the devcontainer.json it was made from has changed since; a config that no
  // longer parses says so at `up`, not here.
  try {
    auto hash = [&] {
      auto ws = load_workspace(folder, s.config_file, planning_facts());
      std::vector<fs::path> read{ws.config.config_file};
      if (ws.config.build) read.push_back(ws.config.build->dockerfile);
      return ConfigHashes::Computed{ws.config_hash, read};
    };
    // A container without the config-file label (made by another tool) is hashed each time: which
    // file the search finds can change without the found one changing.
    auto current = s.config_file.empty() ? hash().hash : config_hashes_->get(folder.string() + "\n" + s.config_file, hash);
    s.out_of_date = current != view->config_hash;
  } catch (const Error&) {
  }
  return s;
}

std::vector<WorkspaceStatus> Workspaces::list() {
  std::vector<WorkspaceStatus> out;
  for (const auto& c : engine_.list_containers({{kWorkspaceLabel, ""}})) {
    auto meta = read_metadata(c.labels);
    WorkspaceStatus s;
    s.workspace = c.labels.at(kWorkspaceLabel);
    s.engine = engine_.endpoint().url();
    s.location = location_of(c.labels, engine_.endpoint());
    s.state = c.state;
    s.container_id = c.id;
    s.container_name = c.name;
    s.image = c.image;
    s.config_file = c.labels.count(kConfigFileLabel) ? c.labels.at(kConfigFileLabel) : "";
    s.remote_user = meta.remote_user;
    s.remote_workspace_folder = meta.workspace_folder;
    s.gpu = gpu_attachment_of(c.labels);
    out.push_back(std::move(s));
  }
  return out;
}

int Workspaces::exec(const ExecParams& params, engine::ExecIO& io, const CancelToken& cancel) {
  if (params.command.empty()) throw Error(ErrorCode::InvalidArgument, "no command to run", "dlcontainer exec -- COMMAND [ARGS...]");
  std::string key = workspace_key(engine_, params.workspace);
  auto c = require_container(engine_, key);
  if (c.state != "running") {
    throw Error(ErrorCode::ContainerNotRunning, "the container for " + key + " is " + c.state,
                "start it with `dlcontainer up " + key + "`");
  }
  // The list row carries the labels, so no inspect is needed unless remoteEnv reads the container's env.
  auto meta = read_metadata(c.labels);
  std::vector<std::string> container_env;
  bool needs_env = std::any_of(meta.remote_env.begin(), meta.remote_env.end(),
                               [](const auto& kv) { return kv.second.find("${containerEnv:") != std::string::npos; });
  if (needs_env) {
    if (auto info = engine_.inspect_container(c.id)) container_env = info->env;
  }
  engine::ExecSpec spec;
  spec.cmd = params.command;
  spec.env = remote_environment(meta.remote_env, container_env);
  for (const auto& [k, v] : params.env) spec.env.push_back(k + "=" + v);
  spec.user = params.user.empty() ? meta.remote_user : params.user;
  spec.working_dir = params.working_dir.empty() ? meta.workspace_folder : params.working_dir;
  spec.tty = params.tty;
  spec.attach_stdin = params.attach_stdin;
  return engine_.run_exec(c.id, spec, io, cancel);
}

void Workspaces::logs(const LogsParams& params, const engine::OutputSink& out, const engine::OutputSink& err,
                      const CancelToken& cancel) {
  auto c = require_container(engine_, workspace_key(engine_, params.workspace));
  engine_.logs(c.id, engine::LogOptions{.follow = params.follow, .tail = params.tail}, out, err, cancel);
}

}  // namespace dlc::core
