// The workspace service: the one place that sequences work. Both front ends (cli/, rpc/) call these
// functions with these types; they hold no logic beyond parsing and rendering.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/slurm_job.h"
#include "engine/engine.h"
#include "gpu/attach.h"
#include "support/cancel.h"
#include "support/json_text.h"
#include "support/progress.h"

namespace dlc::core {

// Labels that find a workspace's container (the engine is the source of truth, not a state file).
inline constexpr const char* kWorkspaceLabel = "dev.dlcontainer.workspace";
inline constexpr const char* kConfigHashLabel = "dev.dlcontainer.config-hash";
inline constexpr const char* kVersionLabel = "dev.dlcontainer.version";
inline constexpr const char* kBuiltForLabel = "dev.dlcontainer.built-for";
// The Dev Containers labels, so that stock tools (VS Code, the devcontainer CLI) find the same container.
inline constexpr const char* kLocalFolderLabel = "devcontainer.local_folder";
inline constexpr const char* kConfigFileLabel = "devcontainer.config_file";
inline constexpr const char* kMetadataLabel = "devcontainer.metadata";

struct UpParams {
  std::string workspace = ".";  // the repository folder on the host
  std::string host;             // the engine (--host, params.host); "" : the default. Chooses the Workspaces, see core/placement.h
  std::string config;           // an explicit devcontainer.json; "" to find it
  bool rebuild = false;         // replace the container (and rebuild its image) even if it exists
  bool no_cache = false;        // build without the engine's layer cache
  std::string gpus;             // GPU selection over devcontainer.json's: all, 2, device=0,1, none; "" : as configured
  std::string gpu_attach;       // auto | toolkit | cdi | direct | none; "" : as configured, else auto
  // Mounts beyond devcontainer.json's (datasets, caches), written as its `mounts` are:
  // "type=bind,source=/data,target=/data[,readonly]". They go into a container when it is created.
  std::vector<std::string> mounts;
  bool strict = false;             // a property dlcontainer does not use is an error, not a warning
  bool skip_post_attach = false;   // do not run postAttachCommand (the reference's --skip-post-attach)
  bool skip_non_blocking = false;  // stop the lifecycle commands after waitFor (--skip-non-blocking-commands)
  // --slurm (params.slurm): the engine is a Podman service in a Slurm job submitted for the workspace
  // (core/placement.h); customizations.dlcontainer.slurm fills what the flags leave out.
  SlurmRequest slurm;
};

// What holds a workspace's engine where a scheduler does (a Slurm job): absent for a plain engine.
struct Allocation {
  std::string scheduler = "slurm";
  std::string job_id;
  std::string state;      // Slurm's: PENDING, RUNNING, TIMEOUT, CANCELLED, ... (GONE: Slurm forgot it)
  std::string reason;     // Slurm's reason (Resources, TimeLimit, ...)
  std::string node;
  std::string time_left;  // squeue's %L while it runs
  std::string partition;
};
void to_json(nlohmann::json& j, const Allocation& a);

// Where a workspace's files are for its container (core/remote_workspace.h).
struct WorkspaceLocation {
  std::string kind = "bind";  // bind (a local engine) | shared | copy | clone
  std::string machine;        // where the container runs: "this machine" or the engine's host
  std::string source;         // the local folder, or the git URL
  std::string volume;         // copy, clone
  bool reused = false;        // copy, clone: made by an earlier `up` (not copied or cloned again)
  std::string note;           // the sentence `up` prints
};
void to_json(nlohmann::json& j, const WorkspaceLocation& l);

struct UpResult {
  // The fields `devcontainer up` prints, so scripts written for it keep working.
  std::string outcome = "success";
  std::string container_id;
  std::string remote_user;
  std::string remote_workspace_folder;
  // Ours.
  std::string workspace;       // absolute host folder
  std::string config_file;
  std::string container_name;
  std::string image;
  std::string action;          // created | started | running
  bool out_of_date = false;    // the container was made from an older devcontainer.json
  std::vector<engine::PortBinding> ports;
  std::vector<std::string> commands_run;  // lifecycle commands run by this call, in order
  gpu::Attachment gpu;         // the GPUs the container has, and how they were attached
  std::string engine;          // the engine's URL (unix:///var/run/docker.sock, ssh://gpu1, ...)
  WorkspaceLocation location;  // where the workspace's files are
  std::vector<std::string> features;  // Features installed into a new container's image, in install order
  // What was not done as asked: unsupported properties, unknown Feature options, short host resources.
  std::vector<std::string> warnings;
  std::string compose_project;        // the Compose project, for a Compose service's container
  // portsAttributes' label and protocol of the published ports that have them: what to call a port and
  // the URL it is reached at ("https://127.0.0.1:8890").
  struct PortNote {
    int container_port = 0;
    std::string label;
    std::string url;
  };
  std::vector<PortNote> port_notes;
  std::optional<Allocation> allocation;  // the Slurm job that holds the engine
};

struct DownParams {
  std::string workspace = ".";
  std::string host;             // the engine (--host, params.host); "" : the default. Chooses the Workspaces, see core/placement.h
  bool remove = false;  // remove the container too (never the workspace, never named volumes)
};

struct DownResult {
  std::string workspace;
  std::string container_id;
  std::string action;  // stopped | removed | none
  std::optional<Allocation> allocation;  // the Slurm job, cancelled by down
};

struct StatusParams {
  std::string workspace = ".";
  std::string host;             // the engine (--host, params.host); "" : the default. Chooses the Workspaces, see core/placement.h
};

struct ListParams {
  std::string host;             // the engine (--host, params.host); "" : the default. Chooses the Workspaces, see core/placement.h
};

struct WorkspaceStatus {
  std::string workspace;
  std::string state;  // none | running | exited | created | paused | ...
  std::string container_id;
  std::string container_name;
  std::string image;
  std::string config_file;
  std::string remote_user;
  std::string remote_workspace_folder;
  std::string started_at;
  bool out_of_date = false;
  std::vector<engine::PortBinding> ports;
  gpu::Attachment gpu;
  std::string engine;          // the engine's URL
  WorkspaceLocation location;  // where the workspace's files are (from the container's labels)
  std::optional<Allocation> allocation;  // the Slurm job that holds the engine (its state when it ended)
};

struct ExecParams {
  std::string workspace = ".";
  std::string host;             // the engine (--host, params.host); "" : the default. Chooses the Workspaces, see core/placement.h
  std::vector<std::string> command;
  bool tty = false;
  bool attach_stdin = false;        // forward input
  std::string user;                 // "" : the workspace's remote user
  std::string working_dir;          // "" : the workspace folder in the container
  std::map<std::string, std::string> env;  // added to the remote environment
};

struct LogsParams {
  std::string workspace = ".";
  std::string host;             // the engine (--host, params.host); "" : the default. Chooses the Workspaces, see core/placement.h
  bool follow = false;
  int tail = -1;
};

void to_json(nlohmann::json& j, const UpParams& p);
void from_json(const nlohmann::json& j, UpParams& p);
void to_json(nlohmann::json& j, const UpResult& r);
void to_json(nlohmann::json& j, const DownParams& p);
void from_json(const nlohmann::json& j, DownParams& p);
void to_json(nlohmann::json& j, const DownResult& r);
void from_json(const nlohmann::json& j, StatusParams& p);
void from_json(const nlohmann::json& j, ListParams& p);
void to_json(nlohmann::json& j, const WorkspaceStatus& s);
void from_json(const nlohmann::json& j, ExecParams& p);
void to_json(nlohmann::json& j, const ExecParams& p);
void from_json(const nlohmann::json& j, LogsParams& p);

// A change to a workspace's container, as engine events report it.
struct WorkspaceEvent {
  std::string workspace;     // the host folder (the container's workspace label)
  std::string container_id;
  std::string action;        // create | start | restart | die | stop | pause | unpause | destroy | rename | oom
  std::int64_t time_nano = 0;
};

// What a front end asks of a running exec beside its streams (the terminal's new size, a signal to pass
// on), which core carries to the engine: front ends only say what happened.
struct ExecAsk {
  enum class Kind { Resize, Signal } kind = Kind::Resize;
  int rows = 0, cols = 0;  // Resize
  std::string signal;      // Signal: "INT", "TERM", "HUP"
};
// Called when ExecIO::wake_fd becomes readable: drains it into asks.
using ExecAsks = std::function<std::vector<ExecAsk>()>;

class StatusCache;
class ConfigHashes;
class StatusesAtOnce;
struct ListView;
struct EngineView;

class Workspaces {
 public:
  explicit Workspaces(engine::Engine engine);
  ~Workspaces();

  // Finds the workspace's container and reuses it (starting it if stopped), or creates it: image
  // pulled or built, workspace mounted, lifecycle commands run at their moments.
  UpResult up(const UpParams& params, ProgressSink& progress = no_progress(), const CancelToken& cancel = {});
  DownResult down(const DownParams& params);
  WorkspaceStatus status(const StatusParams& params);
  // The same status as its JSON text, rendered once per change while the event-fed cache keeps it.
  JsonText status_text(const StatusParams& params);
  // The same text without touching a file system or the engine, when an earlier status_text() kept it
  // and nothing it was read from has changed since (core/status_cache.h: StatusesAtOnce); nullopt
  // otherwise. For answers given without waiting (the server's I/O thread).
  std::optional<JsonText> status_text_at_once(const StatusParams& params);
  std::vector<WorkspaceStatus> list();
  // The same list as its JSON text, rendered once per change while the event-fed cache keeps it.
  JsonText list_text();
  // The list's text when the cache holds it; nullopt otherwise. Never asks the engine: for answers
  // given without waiting (the server's I/O thread).
  std::optional<JsonText> cached_list_text() const;
  // Runs a command in the workspace's running container; returns its exit status. With asks (and
  // io.wake_fd), window changes and signals reach the command; one that cannot be passed on is warned of.
  int exec(const ExecParams& params, engine::ExecIO& io, const CancelToken& cancel = {}, const ExecAsks& asks = {});
  void logs(const LogsParams& params, const engine::OutputSink& out, const engine::OutputSink& err,
            const CancelToken& cancel = {});

  const engine::Engine& engine() const { return engine_; }

  // Follows the engine's events for workspace containers until cancelled, calling on_event for each
  // change. While it runs, status() and list() answer from a cache that these events keep true (a long-lived
  // server runs this; the CLI does not). When the daemon goes away it calls on_lost(why), waits a
  // growing pause (0.5 s to 30 s) and subscribes again.
  void watch(const std::function<void(const WorkspaceEvent&)>& on_event, const CancelToken& cancel,
             const std::function<void(const std::string& why)>& on_lost = {});

 private:
  void pass_on(const std::string& exec_id, const std::string& marker, const ExecAsk& ask) const;
  // Work on one workspace is serialised (two `up` at once make one container); different
  // workspaces proceed in parallel.
  std::shared_ptr<std::mutex> lock_for(const std::string& workspace);

  // The host facts a plan is made for: nullptr for a local engine (this machine's, read as needed),
  // else the remote host's, read once by its probe.
  const gpu::HostFacts* planning_facts();
  // The engine's view of the workspace (the cache's, or read now) and whether the configuration it was
  // made from has changed since (out_of_date).
  std::pair<std::shared_ptr<const EngineView>, bool> looked_up(const StatusParams& params);
  // Keeps a status looked up on a worker for status_text_at_once, when it can be watched.
  void keep_at_once(const StatusParams& params, const std::shared_ptr<const EngineView>& view, bool out_of_date);
  // The list, from the cache or the engine; `render`: its JSON text too (always when kept by the cache).
  std::shared_ptr<const ListView> listing(bool render);

  engine::Engine engine_;
  std::mutex facts_mu_;
  std::optional<gpu::HostFacts> facts_;
  std::mutex locks_mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> locks_;
  std::unique_ptr<StatusCache> cache_;
  std::mutex list_mu_;  // one engine list at a time while the cache is live
  std::unique_ptr<ConfigHashes> config_hashes_;
  std::unique_ptr<StatusesAtOnce> at_once_;
};

// The absolute, canonical folder of a workspace; Error{PathNotFound} when it does not exist.
std::filesystem::path workspace_folder(const std::string& path);

}  // namespace dlc::core
