#include "core/workspace.h"

#include <spdlog/spdlog.h>

#include "core/compose.h"
#include "core/container_plan.h"
#include "core/container_settings.h"
#include "core/container_setup.h"
#include "core/gpu.h"
#include "core/locate.h"
#include "core/status_cache.h"
#include "services/services.h"
#include "core/engine_facts.h"
#include "core/workspace_lock.h"
#include "core/plan.h"
#include "core/remote_workspace.h"
#include "core/slurm_placement.h"
#include "inspect/repo.h"
#include "services/exec_control.h"
#include "support/error.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

// The workspace's container (whoever made it; core/locate.h), or an error saying to make one.
engine::ContainerSummary require_container(const engine::Engine& engine, const std::string& key) {
  auto c = find_workspace_container(engine, fs::path(key));
  if (!c) {
    std::string where = engine.endpoint().local() ? "" : " on " + engine.endpoint().machine();
    throw Error(ErrorCode::ContainerNotFound, "no container for " + key + where,
                "run `dlcontainer up " + key + (engine.endpoint().local() ? "" : " --host " + engine.endpoint().url()) + "` first");
  }
  return *c;
}

}  // namespace

fs::path workspace_folder(const std::string& path_or_url) {
  // A git URL names the folder it is cloned into (`up URL` clones it first; core/plan.h).
  if (path_or_url.empty()) {
    // An empty argument is a mistake (an unset variable, say), not a wish for the current folder.
    throw Error(ErrorCode::InvalidArgument, "the workspace folder is empty", "give the repository's folder, e.g. `dlcontainer up .`");
  }
  std::string path = inspect::is_remote(path_or_url) ? clone_folder_for(path_or_url).string() : path_or_url;
  if (path != path_or_url && !fs::exists(path)) {
    throw Error(ErrorCode::PathNotFound, path_or_url + " is not cloned yet", "run `dlcontainer up " + path_or_url + "` to clone and open it");
  }
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  // One stat for both questions: a status asks this on every request.
  auto st = ec ? fs::file_status() : fs::status(p, ec);
  if (ec || !fs::exists(st)) {
    throw Error(ErrorCode::PathNotFound, "the workspace folder " + path + " does not exist",
                "give the path of the repository to open, e.g. `dlcontainer up ~/src/paper`");
  }
  if (!fs::is_directory(st)) {
    throw Error(ErrorCode::PathNotFound, path + " is not a folder", "give the repository's folder, not a file in it");
  }
  return p;
}

Workspaces::Workspaces(engine::Engine engine)
    : engine_(std::move(engine)),
      cache_(std::make_unique<StatusCache>()),
      config_hashes_(std::make_unique<ConfigHashes>()),
      at_once_(std::make_unique<StatusesAtOnce>()) {
  // Cancelled commands are stopped through the agent, whatever the image holds (no kill, no shell).
  engine_.set_exec_control(services::agent_exec_control());
}

Workspaces::~Workspaces() = default;

const gpu::HostFacts* Workspaces::planning_facts() {
  if (engine_.endpoint().local()) return nullptr;
  std::lock_guard lock(facts_mu_);
  if (!facts_) facts_ = engine_host_facts(engine_).facts;
  return &*facts_;
}

std::shared_ptr<std::mutex> Workspaces::lock_for(const std::string& workspace) {
  std::lock_guard lock(locks_mu_);
  auto& m = locks_[workspace];
  if (!m) m = std::make_shared<std::mutex>();
  return m;
}

DownResult Workspaces::down(const DownParams& params) {
  std::string key = workspace_key(engine_, params.workspace);
  auto mu = lock_for(key);
  std::lock_guard in_process(*mu);
  WorkspaceLock across_processes(key);
  InvalidateOnExit invalidate{*cache_, key};
  DownResult result{.workspace = key, .action = "none"};
  auto c = find_workspace_container(engine_, fs::path(key));
  if (!c) return result;
  result.container_id = c->id;
  if (c->labels.count("com.docker.compose.project")) {
    result.action = down_compose(engine_, *c, params.remove);
  } else if (params.remove) {
    engine_.remove_container(c->id, /*force=*/true, /*anonymous_volumes=*/true);
    result.action = "removed";
  } else {
    engine_.stop_container(c->id);
    result.action = "stopped";
  }
  return result;
}

namespace {

// Whether a status says out of date by its configuration's hash: a container there is, whose
// configuration is on this machine (a clone's is on the engine's host, compared at `up`).
bool compared_with_config(const WorkspaceStatus& s) { return s.state != "none" && s.location.kind != "clone"; }

// Where ConfigHashes keeps the hash of a workspace's configuration.
std::string config_hash_key(const WorkspaceStatus& s) { return s.workspace + "\n" + s.config_file; }

}  // namespace

std::pair<std::shared_ptr<const EngineView>, bool> Workspaces::looked_up(const StatusParams& params) {
  std::string key = workspace_key(engine_, params.workspace);
  auto view = cache_->find(key);
  if (!view) {
    auto ticket = cache_->ticket(key);
    EngineView read;
    WorkspaceStatus& s = read.status;
    s.workspace = key;
    s.state = "none";
    s.engine = engine_.endpoint().url();
    auto c = find_workspace_container(engine_, fs::path(key));
    auto info = c ? engine_.inspect_container(c->id) : std::nullopt;
    if (info) {
      auto meta = container_settings(*info);
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
      // A container another tool made has no hash of ours: it is not called out of date.
      read.config_hash = info->labels.count(kConfigHashLabel) ? info->labels[kConfigHashLabel] : "";
    }
    cache_->store(ticket, read);
    view = std::make_shared<const EngineView>(std::move(read));
  }
  const WorkspaceStatus& s = view->status;
  if (!compared_with_config(s)) return {view, false};
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
    auto current = s.config_file.empty() ? hash().hash : config_hashes_->get(config_hash_key(s), hash);
    return {view, !view->config_hash.empty() && current != view->config_hash};
  } catch (const Error&) {
  }
  return {view, false};
}

WorkspaceStatus Workspaces::status(const StatusParams& params) {
  auto [view, out_of_date] = looked_up(params);
  WorkspaceStatus s = view->status;
  s.out_of_date = out_of_date;
  return s;
}

JsonText Workspaces::status_text(const StatusParams& params) {
  auto [view, out_of_date] = looked_up(params);
  const JsonText& kept = out_of_date ? view->text_out_of_date : view->text;
  if (kept.text) {
    keep_at_once(params, view, out_of_date);
    return kept;
  }
  WorkspaceStatus s = view->status;  // a view the cache did not keep (no events followed): rendered now
  s.out_of_date = out_of_date;
  return JsonText::render(nlohmann::json(s));
}

std::optional<JsonText> Workspaces::status_text_at_once(const StatusParams& params) {
  if (!params.host.empty()) return std::nullopt;
  return at_once_->find(params.workspace, *cache_);
}

void Workspaces::keep_at_once(const StatusParams& params, const std::shared_ptr<const EngineView>& view, bool out_of_date) {
  // Only for a folder given as its canonical self (a link or `..` on the way is resolved each time),
  // on this machine's engine (a remote workspace's files are not here), while the cache keeps the view.
  const WorkspaceStatus& s = view->status;
  if (!params.host.empty() || !engine_.endpoint().local() || s.workspace != params.workspace || !cache_->live()) return;
  // What the answer was read from: the folder, the Slurm record a status looks for first (core/placed.h),
  // and the files the configuration's hash read. A container without the config-file label is hashed
  // each time (looked_up), so it is never answered at once.
  std::vector<fs::path> paths{s.workspace, slurm_record_path(s.workspace)};
  std::string hash_key = config_hash_key(s);
  bool hashed = compared_with_config(s);
  if (hashed) {
    auto files = s.config_file.empty() ? std::nullopt : config_hashes_->current_files(hash_key);
    if (!files) return;
    paths.insert(paths.end(), files->begin(), files->end());
  }
  // Watched first, then read again: a change made while (or since) the answer was read is one the marks see.
  auto marks = at_once_->watch(paths);
  if (!marks) return;
  auto again = looked_up(params);
  if (again.first != view || again.second != out_of_date || load_slurm_record(s.workspace)) return;
  if (hashed && config_hashes_->current_files(hash_key) != std::vector<fs::path>(paths.begin() + 2, paths.end())) return;
  at_once_->keep(params.workspace, StatusesAtOnce::Entry{view, out_of_date, std::move(*marks)});
}

std::vector<WorkspaceStatus> Workspaces::list() { return listing(/*render=*/false)->list; }

JsonText Workspaces::list_text() {
  auto view = listing(/*render=*/true);
  return view->text.text ? view->text : JsonText::render(nlohmann::json(view->list));
}

std::optional<JsonText> Workspaces::cached_list_text() const {
  auto cached = cache_->find_list();
  if (!cached || !cached->text.text) return std::nullopt;
  return cached->text;
}

std::shared_ptr<const ListView> Workspaces::listing(bool render) {
  if (auto cached = cache_->find_list()) return cached;
  // While events keep the list, misses wait for one another: eight editors listing after a burst of
  // events ask the engine once, and the others read what it answered.
  std::unique_lock fetching(list_mu_, std::defer_lock);
  if (cache_->live()) {
    fetching.lock();
    if (auto cached = cache_->find_list()) return cached;
  }
  auto ticket = cache_->list_ticket();
  auto view = std::make_shared<ListView>();
  // Every container with the Dev Containers folder label: dlcontainer's, and other tools'.
  for (const auto& c : engine_.list_containers({{kLocalFolderLabel, ""}})) {
    auto meta = summary_settings(c.labels);
    WorkspaceStatus s;
    s.workspace = c.labels.at(kLocalFolderLabel);
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
    view->list.push_back(std::move(s));
  }
  // Rendered once here, while it is kept, for every client that will read it; the CLI (no cache) never.
  if (render || fetching.owns_lock()) view->text = JsonText::render(nlohmann::json(view->list));
  cache_->store_list(ticket, view);
  return view;
}

int Workspaces::exec(const ExecParams& params, engine::ExecIO& io, const CancelToken& cancel, const ExecAsks& asks) {
  if (params.command.empty()) throw Error(ErrorCode::InvalidArgument, "no command to run", "dlcontainer exec -- COMMAND [ARGS...]");
  std::string key = workspace_key(engine_, params.workspace);
  auto c = require_container(engine_, key);
  if (c.state != "running") {
    throw Error(ErrorCode::ContainerNotRunning, "the container for " + key + " is " + c.state,
                "start it with `dlcontainer up " + key + "`");
  }
  auto info = engine_.inspect_container(c.id);
  if (!info) throw Error(ErrorCode::ContainerNotFound, "the container for " + key + " just went away", "run `dlcontainer up`");
  // As the reference does: the container's metadata with devcontainer.json's remoteUser, remoteEnv
  // and userEnvProbe as they are now, and the user's shell's environment (probed once per start).
  auto settings = container_settings(*info);
  for (const auto& w : settings.warnings) spdlog::warn("{}", w);
  engine::ExecSpec spec;
  spec.cmd = params.command;
  spec.user = params.user.empty() ? settings.remote_user : params.user;
  std::vector<std::string> warnings;
  auto probed = probe_user_env(engine_, *info, spec.user, settings.user_env_probe, &warnings, cancel);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  spec.env = command_environment(probed, settings.merged.remote_env, info->env);
  // -e replaces what the probe and remoteEnv give.
  std::erase_if(spec.env, [&](const std::string& kv) { return params.env.count(kv.substr(0, kv.find('='))) > 0; });
  for (const auto& [k, v] : params.env) spec.env.push_back(k + "=" + v);
  spec.working_dir = params.working_dir.empty() ? settings.workspace_folder : params.working_dir;
  spec.tty = params.tty;
  spec.attach_stdin = params.attach_stdin;
  if (asks) {
    io.on_wake = [this, &io, &asks](const std::string& exec_id) {
      for (const auto& ask : asks()) pass_on(exec_id, io.marker, ask);
    };
  }
  return engine_.run_exec(c.id, spec, io, cancel);
}

void Workspaces::pass_on(const std::string& exec_id, const std::string& marker, const ExecAsk& ask) const {
  try {
    if (ask.kind == ExecAsk::Kind::Resize) {
      engine_.resize_exec(exec_id, ask.rows, ask.cols);
    } else {
      engine_.signal_exec(exec_id, marker, ask.signal);
    }
  } catch (const Error& e) {
    // The command goes on; the user is told that what they asked did not reach it.
    if (ask.kind == ExecAsk::Kind::Resize) {
      spdlog::warn("the command's terminal could not be resized: {}", e.what());
    } else {
      spdlog::warn("SIG{} could not be passed on to the command, which may still be running: {}{}", ask.signal, e.what(),
                   e.hint().empty() ? "" : " (" + e.hint() + ")");
    }
  }
}

void Workspaces::logs(const LogsParams& params, const engine::OutputSink& out, const engine::OutputSink& err,
                      const CancelToken& cancel) {
  auto c = require_container(engine_, workspace_key(engine_, params.workspace));
  engine_.logs(c.id, engine::LogOptions{.follow = params.follow, .tail = params.tail}, out, err, cancel);
}

}  // namespace dlc::core
