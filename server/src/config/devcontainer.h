// devcontainer.json: the project's own file, read as the spec at containers.dev defines it.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/properties.h"
#include "engine/types.h"

namespace dlc::config {

// The `docker run` flags that runArgs may hold. Anything else is refused when parsed.
struct RunArgs {
  std::optional<std::string> gpus;  // "all", "2", "device=0,1" (as docker's --gpus takes it)
  std::string ipc;
  std::int64_t shm_size = 0;  // bytes
  std::vector<std::string> env;  // KEY=VALUE
  std::vector<engine::Mount> volumes;
  std::vector<engine::PortBinding> publish;
  std::vector<std::string> cap_add;
  std::vector<std::string> security_opt;
  std::string user;
  std::string network;
  std::string hostname;
  std::string runtime;
  std::vector<std::string> add_host;
  std::vector<engine::DeviceMapping> devices;
  std::map<std::string, std::string> labels;
  std::string platform;  // --platform: the image's platform, as `docker run --platform` takes it
  bool privileged = false;
  bool init = false;
};

// Parses runArgs. Throws Error{ConfigInvalid} naming the flag for anything unknown or malformed.
RunArgs parse_run_args(const std::vector<std::string>& args);

// "8g", "512m", "1024" (bytes) as docker takes sizes.
std::int64_t parse_size(const std::string& text);

// build.options: the `docker build` flags that the Engine API's build expresses. Anything else is
// refused when parsed, naming the flag.
struct BuildOptions {
  std::map<std::string, std::string> labels;      // --label
  std::map<std::string, std::string> build_args;  // --build-arg (over build.args)
  std::string platform;                           // --platform
  std::string target;                             // --target (over build.target)
  std::string network;                            // --network
  std::vector<std::string> add_hosts;             // --add-host host:ip
  bool no_cache = false;                          // --no-cache
  bool pull = false;                              // --pull
};
BuildOptions parse_build_options(const std::vector<std::string>& args);

struct BuildConfig {
  std::string dockerfile;  // absolute path
  std::string context;     // absolute path
  std::map<std::string, std::string> args;
  std::string target;
  std::vector<std::string> cache_from;
  BuildOptions options;  // build.options
};

// dockerComposeFile, service, runServices: a dev container that is a service of a Compose project.
struct ComposeConfig {
  std::vector<std::string> files;         // absolute paths, in order
  std::string service;
  std::vector<std::string> run_services;  // empty: all services
};

struct DevcontainerConfig {
  std::string config_file;  // absolute path; "" when the workspace has none
  std::string name;
  std::string image;
  std::optional<BuildConfig> build;  // image, build and compose are exclusive; one of them is set
  std::optional<ComposeConfig> compose;
  std::optional<engine::Mount> workspace_mount;  // nullopt: the spec's default
  std::string workspace_folder;                 // "" : the spec's default
  std::vector<engine::Mount> mounts;
  std::vector<std::string> run_args_raw;
  RunArgs run_args;
  std::vector<ForwardPort> forward_ports;
  std::vector<int> app_port;
  std::map<std::string, std::string> container_env;
  std::map<std::string, std::string> remote_env;  // may hold ${containerEnv:VAR}, resolved at exec time
  std::string container_user;
  std::string remote_user;
  bool update_remote_user_uid = true;
  bool override_command = true;
  bool init = false;
  bool privileged = false;
  std::vector<std::string> cap_add;
  std::vector<std::string> security_opt;
  GpuRequirement gpu;
  HostRequirements host_requirements;  // cpus, memory, storage (its gpu is `gpu` above)
  std::vector<PortsAttributesRule> ports_attributes;
  std::optional<PortAttributes> other_ports_attributes;
  std::string user_env_probe;  // "" : the default, loginInteractiveShell
  std::string wait_for;        // "" : the default, updateContentCommand
  LifecycleCommand initialize_command;  // runs on the host
  LifecycleCommand on_create_command;
  LifecycleCommand update_content_command;
  LifecycleCommand post_create_command;
  LifecycleCommand post_start_command;
  LifecycleCommand post_attach_command;
  std::string shutdown_action = "stopContainer";  // none | stopContainer | stopCompose (the default for Compose)
  nlohmann::json dlcontainer = nlohmann::json::object();  // customizations.dlcontainer, for later layers
  nlohmann::json document;  // the whole parsed file, before substitution
};

// What ${...} variables expand to.
struct Substitution {
  std::string local_workspace_folder;      // absolute host path
  std::string container_workspace_folder;  // as resolved (the spec's default when not set)
  std::string devcontainer_id;
  std::function<std::optional<std::string>(const std::string&)> local_env;  // default: getenv
};

// Finds the workspace's devcontainer.json: .devcontainer/devcontainer.json, .devcontainer.json, or the
// only .devcontainer/<name>/devcontainer.json. nullopt when there is none; Error{ConfigInvalid} when
// several subfolder configs make the choice ambiguous (the hint says to pass --config).
std::optional<std::filesystem::path> find_config(const std::filesystem::path& workspace);

// Reads and parses a devcontainer.json. Relative paths (build.dockerfile, build.context) resolve
// against the file's folder; variables are expanded with `vars` (container_workspace_folder is
// filled in from workspaceFolder or the default before the rest are expanded). Errors name the file,
// the line and column where JSONC parsing failed, or the property that is wrong.
DevcontainerConfig load_config(const std::filesystem::path& config_file, Substitution vars);
// The same for a file's text already read (config_file still names it and anchors relative paths).
DevcontainerConfig parse_config(std::string_view text, const std::filesystem::path& config_file, Substitution vars);

// The spec's default container folder for a workspace: /workspaces/<basename>.
std::string default_workspace_folder(const std::filesystem::path& workspace);

// Expands ${localWorkspaceFolder}, ${localWorkspaceFolderBasename}, ${containerWorkspaceFolder},
// ${containerWorkspaceFolderBasename}, ${localEnv:VAR[:default]}, ${env:VAR} and ${devcontainerId}.
// ${containerEnv:VAR} is left as written (resolved later, in the container).
std::string substitute(const std::string& text, const Substitution& vars);

// Parses a mount as written in devcontainer.json: "type=bind,source=/a,target=/b[,readonly]" or the
// object form {type, source, target}. With vars, variables expand in each field's value after the
// spec is split into fields, so a value (a ${localEnv:X} holding "x,source=/") cannot add fields.
engine::Mount parse_mount(const nlohmann::json& value, const Substitution* vars = nullptr);

}  // namespace dlc::config
