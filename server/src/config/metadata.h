// devcontainer.metadata, the spec's image metadata (containers.dev/implementors/spec, "Merge logic").
// An image or a container carries a label holding an array of entries, each a subset of
// devcontainer.json's properties. A dev container's settings are those entries merged in order: the
// base image's entries, then one per Feature, then devcontainer.json's own. The container's label
// holds all of them, as written (variables unexpanded), so that stock tools read back what it got.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/devcontainer.h"
#include "config/properties.h"

namespace dlc::config {

inline constexpr const char* kMetadataLabel = "devcontainer.metadata";

// One entry: a JSON object as written, variables not yet expanded. A Feature's entry holds "id".
using MetadataEntry = nlohmann::json;

// The properties an entry may hold (the spec's list, in its order).
const std::vector<std::string>& metadata_properties();
// What an existing container takes from devcontainer.json as it is now rather than from its label.
const std::vector<std::string>& updateable_properties();

// devcontainer.json's own entry: those of `keys` that the document holds, as written.
MetadataEntry config_entry(const nlohmann::json& document, const std::vector<std::string>& keys = metadata_properties());

// A label's entries: an array of objects, or one object. Text that is not that (or over 1 MiB, or
// nested deeper than 64) gives no entries and `problem` says why: a broken label on someone's image
// must not stop a container from being made, and it must not pass unnoticed either.
std::vector<MetadataEntry> parse_metadata_label(std::string_view text, std::string* problem = nullptr);
// The label's value for entries, as the reference writes it: a JSON array, empty entries dropped.
std::string metadata_label_value(const std::vector<MetadataEntry>& entries);

// The sources of a new container's entries, in the spec's order. `features` is where the Features
// installer puts one entry per installed Feature, in install order: its "id" and the Feature's
// metadata properties (init, privileged, capAdd, securityOpt, entrypoint, mounts, customizations and
// the lifecycle commands; a Feature's containerEnv is baked into the image as ENV instead).
struct MetadataSources {
  std::vector<MetadataEntry> image;
  std::vector<MetadataEntry> features;
  MetadataEntry config = nlohmann::json::object();
  std::vector<MetadataEntry> entries() const;
};

// A lifecycle command and where it came from: a Feature's id, or "devcontainer.json" (the image's
// entries too, as the reference names them).
struct OriginCommand {
  std::string origin;
  LifecycleCommand command;
};

// The entries merged by the spec's rules: booleans are true when any entry says so, lists are
// joined without repeats, maps are joined with later entries winning, single values are the last
// entry's that sets them, lifecycle commands are all kept in entry order.
struct MergedConfiguration {
  std::string remote_user;
  std::string container_user;
  std::map<std::string, std::optional<std::string>> remote_env;  // nullopt: unset
  std::map<std::string, std::string> container_env;
  std::vector<engine::Mount> mounts;  // one per target, the last entry's
  bool init = false;
  bool privileged = false;
  std::vector<std::string> cap_add;
  std::vector<std::string> security_opt;
  std::vector<std::string> entrypoints;  // Features' entrypoint scripts, run before the container's command
  std::optional<bool> override_command;
  std::optional<bool> update_remote_user_uid;
  std::string user_env_probe;  // "" : the default (loginInteractiveShell)
  std::string wait_for;        // "" : the default (updateContentCommand)
  std::string shutdown_action;
  std::vector<ForwardPort> forward_ports;
  std::vector<PortsAttributesRule> ports_attributes;
  std::optional<PortAttributes> other_ports_attributes;
  HostRequirements host_requirements;
  nlohmann::json customizations = nlohmann::json::object();  // tool -> [value per entry, in order]
  std::map<std::string, std::vector<OriginCommand>> commands;  // hook name (kLifecycleHooks) -> commands

  const std::vector<OriginCommand>& hook(std::string_view name) const;
};

// Merges entries in order, expanding each one's variables as devcontainer.json's are (vars).
// Error{ConfigInvalid} naming the entry (its id, or its place) and the property when a property has
// the wrong form.
MergedConfiguration merge_metadata(const std::vector<MetadataEntry>& entries, const Substitution& vars,
                                   const std::string& where = "devcontainer.metadata");

// ${devcontainerId} as the reference computes it from a container's identifying labels (base-32 of
// the SHA-256 of {"devcontainer.config_file": ..., "devcontainer.local_folder": ...}), so that both
// tools name volumes that use it alike.
std::string devcontainer_id(const std::string& local_folder, const std::string& config_file);

// The config as the merged entries make it: the properties the entries hold replace the file's.
// (runArgs, build, ports to publish and the rest that entries do not hold stay the file's.)
DevcontainerConfig apply_merged(DevcontainerConfig config, const MergedConfiguration& merged);

}  // namespace dlc::config
