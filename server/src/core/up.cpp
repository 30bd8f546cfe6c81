// `up`: the workspace's container found (whoever made it) or made, then set up for its user.
#include "config/properties.h"
#include "core/compose.h"
#include "core/container_plan.h"
#include "core/container_settings.h"
#include "core/container_setup.h"
#include "core/engine_options.h"
#include "core/gpu.h"
#include "core/host_steps.h"
#include "core/image.h"
#include "core/locate.h"
#include "core/mount_safety.h"
#include "core/plan.h"
#include "core/remote_workspace.h"
#include "core/running.h"
#include "core/start_patch.h"
#include "core/status_cache.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "engine/podman.h"
#include "services/services.h"
#include "support/error.h"

namespace dlc::core {

namespace fs = std::filesystem;

namespace {

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

// Every property dlcontainer does not use is named; with --strict, before anything is done.
void check_properties(const WorkspaceContext& ws, const UpParams& params, UpResult& result) {
  if (ws.inferred) return;  // the plan's own stand-in config uses nothing it would warn about
  result.warnings = config::property_warnings(ws.config.document);
  if (!params.strict || result.warnings.empty()) return;
  std::string list;
  for (const auto& w : result.warnings) list += "\n  " + w;
  throw Error(ErrorCode::ConfigInvalid, ws.config.config_file + " asks for what dlcontainer does not do (--strict):" + list,
              "remove those properties, or run without --strict to be warned and go on");
}

void check_host(const engine::Engine& engine, const config::HostRequirements& wanted, UpResult& result) {
  if (wanted.cpus == 0 && wanted.memory == 0 && wanted.storage == 0) return;
  auto found = host_requirement_warnings(wanted, engine.info());
  result.warnings.insert(result.warnings.end(), found.begin(), found.end());
}

// What up_container saw of the container it started, for set_up to go on with.
struct Started {
  std::optional<engine::ContainerInfo> seen;  // the engine's inspect of it once running, when this call made that check
  bool patched = false;                       // its own start patched the system files (core/start_patch.h)
};

// A single container: reused (started when stopped), or made from the prepared image.
std::string up_container(const engine::Engine& engine, const WorkspaceContext& ws, const WorkspaceSource& src, const UpParams& params,
                         std::optional<engine::ContainerSummary> existing, const std::vector<engine::Mount>& extra_mounts,
                         UpResult& result, Started& started, ProgressSink& progress, const CancelToken& cancel) {
  const bool local = engine.endpoint().local();
  if (existing && !params.rebuild) {
    if (local) services::refresh_display(ws.config.dlcontainer, ws.container_name);  // a restarted X server's new cookie
    result.action = existing->state == "running" ? "running" : "started";
    if (existing->state == "running") return existing->id;
    progress.begin("Starting " + existing->name);
    try {
      engine.start_container(existing->id);
      started.seen = require_running(engine, existing->id, "as soon as it started");
      progress.end();
      return existing->id;
    } catch (const Error& e) {
      // Gone between the look-up and the start: a create the engine rolled back (an `up` killed while it
      // was made), or another tool's remove. Made anew, as if it had not been found.
      if (e.code() != ErrorCode::ContainerNotFound) throw;
      progress.end(existing->name + " was removed meanwhile; making a new one");
      existing.reset();
    }
  }
  if (!existing || params.rebuild) {
    // A new container's mounts (devcontainer.json's and this call's) are judged before anything is
    // made: one that exposes the host is refused.
    WorkspaceContext asked = ws;
    for (const auto& m : extra_mounts) asked.config.mounts.push_back(m);
    check_mounts(asked, engine.endpoint().socket_path, progress);
  }
  // GPUs are decided before any image work: a GPU the host cannot give refuses here, with nothing made.
  std::optional<GpuPlan> gpus;
  if (!existing || params.rebuild) gpus = plan_gpus(engine, ws, params);
  std::optional<PreparedImage> image;
  if (existing && params.rebuild) {
    // Build first: a rebuild whose image fails to build leaves the old container in place.
    image = prepare_image(engine, ws, HostUser::current(), true, progress, cancel);
    progress.begin("Removing the old container");
    // Its anonymous volumes go with it (they belong to no one else); named volumes stay.
    engine.remove_container(existing->id, /*force=*/true, /*anonymous_volumes=*/true);
    progress.end();
    existing.reset();
  }
  if (!image) image = prepare_image(engine, ws, HostUser::current(), params.no_cache || params.rebuild, progress, cancel);
  result.warnings.insert(result.warnings.end(), image->warnings.begin(), image->warnings.end());
  result.features = image->features;
  WorkspaceContext made = with_image(ws, *image);
  for (const auto& m : extra_mounts) made.config.mounts.push_back(m);
  // The image's metadata may ask for GPUs the config did not: decided again with what it says.
  if (made.config.gpu.need != ws.config.gpu.need) gpus = plan_gpus(engine, made, params);
  // A remote engine publishes on its own loopback, where it picks a free port: this machine's are not its.
  auto spec = container_spec(made, image->ref, image->base, local ? PortPicker(pick_free_port) : [](const std::string&, int) { return 0; });
  // On a remote engine the workspace's files are placed first: shared, copied into a volume, or the clone's.
  // Before the GPUs are attached: the driver's files are the engine host's by design, nothing to warn of.
  std::optional<WorkspaceLocation> loc;
  if (!local) {
    loc = src.clone ? *src.clone : locate_folder(engine, src.folder);
    place_workspace(spec, src.key, src.folder, *loc, engine.endpoint(), result.warnings);
  }
  attach_gpus(*gpus, spec, image->info);
  const auto podman = engine::podman_facts(engine);
  // Last, once the spec's environment is whole: the patch's lines are made from it.
  const bool patch_in_start = patch_at_start(spec, image->info, podman.podman);
  const bool fresh_copy = loc && loc->kind == "copy" && !loc->reused;
  cancel.throw_if_cancelled();
  progress.begin("Creating " + spec.name);
  // A container of this name that is not labelled for this folder is someone else's: never removed.
  // Rootless Podman maps the user's uid into the container (keep-id), so workspace files keep their owner.
  auto userns = userns_mode_for(podman, remote_user_of(made.config, image->info.user));
  std::string id = userns.empty() ? engine.create_container(spec) : engine::create_container(engine, spec, userns);
  progress.end();
  try {
    if (fresh_copy) copy_into(engine, id, src.folder, ws.remote_workspace_folder, HostUser::current(), progress, cancel);
    engine.start_container(id);
    started.patched = patch_in_start && wait_until_started(engine, id, cancel);
    started.seen = require_running(engine, id, "as soon as it started");
  } catch (const Error&) {
    // Ours, just made, never (or only briefly) running: nothing to keep; its last output is in the error.
    engine.remove_container(id, /*force=*/true, /*anonymous_volumes=*/true);
    if (fresh_copy) engine.remove_volume(loc->volume);  // the copy this call began
    throw;
  }
  if (loc) result.location = *loc;
  result.action = "created";
  return id;
}

// What every up ends with, whoever made the container: the system's shell files, the user's
// environment, and the lifecycle commands it is due. `started.seen`: the container's inspect when
// up_container has just made it (one round trip to the engine less), else it is asked here.
void set_up(const engine::Engine& engine, const std::string& id, Started started, const WorkspaceContext& ws,
            const UpParams& params, UpResult& result, ProgressSink& progress, const CancelToken& cancel) {
  auto info = started.seen ? std::move(started.seen) : engine.inspect_container(id);
  if (!info) throw Error(ErrorCode::ContainerNotFound, "the container vanished while starting", "run `dlcontainer up` again");
  result.container_id = info->id;
  result.container_name = info->name;
  result.image = info->image;
  result.ports = info->ports;
  auto hash = info->labels.find(kConfigHashLabel);
  result.out_of_date = hash != info->labels.end() && hash->second != ws.config_hash;
  result.gpu = gpu_attachment_of(info->labels);
  if (result.action != "created" || result.location.machine.empty()) result.location = location_of(info->labels, engine.endpoint());
  auto settings = container_settings(*info, &ws);
  result.warnings.insert(result.warnings.end(), settings.warnings.begin(), settings.warnings.end());
  result.remote_user = settings.remote_user;
  result.remote_workspace_folder = settings.workspace_folder;
  for (const auto& p : info->ports) {
    const auto* attrs = config::attributes_for_port(settings.merged.ports_attributes, p.container_port);
    if (!attrs && settings.merged.other_ports_attributes) attrs = &*settings.merged.other_ports_attributes;
    if (!attrs || (attrs->label.empty() && attrs->protocol.empty()) || p.host_port == 0) continue;
    std::string host = p.host_ip.empty() || p.host_ip == "0.0.0.0" ? "127.0.0.1" : p.host_ip;
    result.port_notes.push_back({p.container_port, attrs->label,
                                 attrs->protocol.empty() ? "" : attrs->protocol + "://" + host + ":" + std::to_string(p.host_port)});
  }

  CommandContext ctx{.container_id = info->id, .user = settings.remote_user, .working_dir = settings.workspace_folder};
  // Probed when a lifecycle command is to run in it; else the first `exec` probes.
  auto probe = [&](CommandContext& c) {
    auto probed = probe_user_env(engine, *info, c.user, settings.user_env_probe, &result.warnings, cancel);
    c.env = command_environment(probed, settings.merged.remote_env, info->env);
  };
  HookOptions options{.skip_post_attach = params.skip_post_attach, .skip_non_blocking = params.skip_non_blocking,
                      .patched_at_start = started.patched};
  try {
    run_user_commands(engine, *info, settings, ctx, options, result.action == "created", probe, result.commands_run,
                      result.warnings, progress, cancel);
  } catch (const Error& e) {
    // A command that failed because the container died: the death is the news, with its exit status.
    if (e.code() != ErrorCode::Cancelled) require_running(engine, id, "while its lifecycle commands ran");
    throw;
  }
  // Success is reported only for a container that still runs.
  require_running(engine, id, "during its lifecycle commands");
}

}  // namespace

UpResult Workspaces::up(const UpParams& params, ProgressSink& progress, const CancelToken& cancel) {
  const bool local = engine_.endpoint().local();
  // A git URL is cloned first: here for a local engine, there (into a volume) for a remote one.
  WorkspaceSource src = workspace_source(engine_, params.workspace, HostUser::current(), progress, cancel);
  WorkspaceContext ws = load_workspace(src.folder, params.config, planning_facts());  // a broken config changes nothing
  if (src.clone) ws.container_name = container_name_for(fs::path(src.key));
  UpResult result;
  check_properties(ws, params, result);
  // Mounts asked for by this call are checked before anything is made; they join a new container.
  std::vector<engine::Mount> extra_mounts;
  for (const auto& m : params.mounts) extra_mounts.push_back(extra_mount(m, local));
  auto mu = lock_for(src.key);
  std::lock_guard in_process(*mu);
  WorkspaceLock across_processes(src.key);
  InvalidateOnExit invalidate{*cache_, src.key};
  cancel.throw_if_cancelled();

  result.workspace = src.key;
  result.engine = engine_.endpoint().url();
  result.config_file = ws.config.config_file;
  result.remote_workspace_folder = ws.remote_workspace_folder;
  // initializeCommand runs on this machine, in the folder the configuration was read from.
  run_initialize_command(ws.config.initialize_command, src.folder.string(), progress, cancel);
  check_host(engine_, ws.config.host_requirements, result);

  auto existing = find_workspace_container(engine_, fs::path(src.key), ws.config.config_file);
  Started started;
  std::string id = ws.config.compose ? up_compose(engine_, ws, params, existing, extra_mounts, result, progress, cancel)
                                     : up_container(engine_, ws, src, params, existing, extra_mounts, result, started, progress, cancel);
  set_up(engine_, id, std::move(started), ws, params, result, progress, cancel);
  return result;
}

}  // namespace dlc::core
