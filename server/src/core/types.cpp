// The wire shapes of core's params and results (camelCase; schemas/ describes them).
#include "core/workspace.h"
#include "support/json.h"

namespace dlc::core {

using json = nlohmann::json;

void to_json(json& j, const UpParams& p) {
  j = {{"workspace", p.workspace}, {"rebuild", p.rebuild}, {"noCache", p.no_cache}};
  if (!p.config.empty()) j["config"] = p.config;
  if (!p.gpus.empty()) j["gpus"] = p.gpus;
  if (!p.gpu_attach.empty()) j["gpuAttach"] = p.gpu_attach;
  if (!p.mounts.empty()) j["mounts"] = p.mounts;
  if (!p.host.empty()) j["host"] = p.host;
  if (p.strict) j["strict"] = true;
  if (p.skip_post_attach) j["skipPostAttach"] = true;
  if (p.skip_non_blocking) j["skipNonBlockingCommands"] = true;
  if (p.slurm.enabled) j["slurm"] = p.slurm;
}

void from_json(const json& j, UpParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "config", p.config);
  get_if(j, "rebuild", p.rebuild);
  get_if(j, "noCache", p.no_cache);
  get_if(j, "gpus", p.gpus);
  get_if(j, "gpuAttach", p.gpu_attach);
  get_if(j, "mounts", p.mounts);
  get_if(j, "strict", p.strict);
  get_if(j, "skipPostAttach", p.skip_post_attach);
  get_if(j, "skipNonBlockingCommands", p.skip_non_blocking);
  if (auto it = j.find("slurm"); it != j.end()) from_json(*it, p.slurm);
}

void to_json(json& j, const Allocation& a) {
  j = {{"scheduler", a.scheduler}, {"jobId", a.job_id}, {"state", a.state}, {"reason", a.reason},
       {"node", a.node}, {"timeLeft", a.time_left}, {"partition", a.partition}};
}

void to_json(json& j, const UpResult& r) {
  j = {{"outcome", r.outcome},
       {"containerId", r.container_id},
       {"remoteUser", r.remote_user},
       {"remoteWorkspaceFolder", r.remote_workspace_folder},
       {"workspace", r.workspace},
       {"configFile", r.config_file},
       {"containerName", r.container_name},
       {"image", r.image},
       {"action", r.action},
       {"outOfDate", r.out_of_date},
       {"ports", r.ports},
       {"commandsRun", r.commands_run},
       {"gpu", r.gpu},
       {"engine", r.engine},
       {"location", r.location},
       {"warnings", r.warnings}};
  if (!r.features.empty()) j["features"] = r.features;
  if (!r.compose_project.empty()) j["composeProjectName"] = r.compose_project;
  if (!r.port_notes.empty()) {
    j["portNotes"] = json::array();
    for (const auto& n : r.port_notes) {
      json note = {{"containerPort", n.container_port}};
      if (!n.label.empty()) note["label"] = n.label;
      if (!n.url.empty()) note["url"] = n.url;
      j["portNotes"].push_back(note);
    }
  }
  if (r.allocation) j["allocation"] = *r.allocation;
}

void to_json(json& j, const DownParams& p) {
  j = {{"workspace", p.workspace}, {"remove", p.remove}};
  if (!p.host.empty()) j["host"] = p.host;
}

void from_json(const json& j, DownParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "remove", p.remove);
}

void to_json(json& j, const DownResult& r) {
  j = {{"workspace", r.workspace}, {"containerId", r.container_id}, {"action", r.action}};
  if (r.allocation) j["allocation"] = *r.allocation;
}

void from_json(const json& j, StatusParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
}

void from_json(const json& j, ListParams& p) { get_if(j, "host", p.host); }

void to_json(json& j, const WorkspaceStatus& s) {
  j = {{"workspace", s.workspace},
       {"state", s.state},
       {"containerId", s.container_id},
       {"containerName", s.container_name},
       {"image", s.image},
       {"configFile", s.config_file},
       {"remoteUser", s.remote_user},
       {"remoteWorkspaceFolder", s.remote_workspace_folder},
       {"startedAt", s.started_at},
       {"outOfDate", s.out_of_date},
       {"ports", s.ports},
       {"gpu", s.gpu},
       {"engine", s.engine}};
  if (s.state != "none") j["location"] = s.location;
  if (s.allocation) j["allocation"] = *s.allocation;
}

void from_json(const json& j, ExecParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "command", p.command);
  get_if(j, "tty", p.tty);
  get_if(j, "stdin", p.attach_stdin);
  get_if(j, "user", p.user);
  get_if(j, "workingDir", p.working_dir);
  get_if(j, "env", p.env);
}

void to_json(json& j, const ExecParams& p) {
  j = {{"workspace", p.workspace}, {"command", p.command}, {"tty", p.tty}, {"stdin", p.attach_stdin}, {"env", p.env}};
  if (!p.user.empty()) j["user"] = p.user;
  if (!p.working_dir.empty()) j["workingDir"] = p.working_dir;
  if (!p.host.empty()) j["host"] = p.host;
}

void from_json(const json& j, LogsParams& p) {
  get_if(j, "workspace", p.workspace);
  get_if(j, "host", p.host);
  get_if(j, "follow", p.follow);
  get_if(j, "tail", p.tail);
}

}  // namespace dlc::core
