// Dev Container Features as devcontainer.json and each Feature's devcontainer-feature.json describe
// them (containers.dev/implementors/features): where a Feature comes from, what its options turn into,
// and what it contributes. Pure: reads text, fetches nothing (core/features.h does).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "registry/oci.h"

namespace dlc::config {

// One entry of devcontainer.json's "features" (or of a Feature's "dependsOn"), as written.
struct FeatureRequest {
  std::string id;                                 // "ghcr.io/devcontainers/features/python:1", "./local"
  nlohmann::json options = nlohmann::json::object();  // true | "version" | {option: value}
};

// "features" in the file's order, and "overrideFeatureInstallOrder". Error{ConfigInvalid} naming the
// property when they have the wrong form.
struct FeaturesSection {
  std::vector<FeatureRequest> features;
  std::vector<std::string> override_install_order;
  bool empty() const { return features.empty(); }
};
FeaturesSection read_features_section(const nlohmann::json& document, const std::string& file);

// Where a Feature's files come from, by the form of its id (the spec's "Referencing a Feature").
struct FeatureSource {
  enum class Kind { Local, Oci, Tarball } kind = Kind::Local;
  std::string id;              // as written
  std::filesystem::path path;  // Local: the absolute folder
  registry::Reference ref;     // Oci
  std::string url;             // Tarball
  std::string short_id;        // the Feature's own id: the last path segment, or the tarball's name part
  std::string warning;         // a deprecated short id that was mapped to its ghcr.io Feature

  // What installsAfter and overrideFeatureInstallOrder match on: the Feature without its version.
  std::string soft_key() const;
};

// Classifies an id for a devcontainer.json at config_file in a workspace whose root is workspace.
// Error{ConfigInvalid} with the reference CLI's wording for ids it refuses (a legacy id without '/', an
// absolute or escaping local path, a tarball URL not named devcontainer-feature-<id>.tgz, a reference
// that is not OCI).
FeatureSource classify_feature(const std::string& id, const std::filesystem::path& config_file,
                               const std::filesystem::path& workspace);

struct FeatureOption {
  std::string name;
  std::string type;                    // "boolean" | "string"
  nlohmann::json default_value;        // null when the Feature gives none
  std::vector<std::string> enum_values;  // the only values allowed, when given
};

// devcontainer-feature.json.
struct FeatureMetadata {
  std::string id;
  std::string version;
  std::string name;
  std::string description;
  std::string documentation_url;
  std::vector<FeatureOption> options;
  std::vector<std::pair<std::string, std::string>> container_env;  // in the file's order
  std::vector<FeatureRequest> depends_on;
  std::vector<std::string> installs_after;
  std::vector<std::string> legacy_ids;
  bool deprecated = false;
  nlohmann::json document;  // the whole file, for the metadata entry
};
// Error{ConfigInvalid} naming `where` when it is not a Feature's metadata.
FeatureMetadata parse_feature_metadata(std::string_view text, const std::string& where);

// The option values a Feature installs with, as the environment of its install.sh (NAME, value) with
// the spec's names (upper-cased, non-word characters to '_'). Defaults fill what the user left out; a
// string value is the `version` option's. Error{ConfigInvalid} when a value has the wrong type or is
// not among the option's enum; an option the Feature does not declare is passed on and named in
// `warnings`.
struct FeatureEnv {
  std::vector<std::pair<std::string, std::string>> vars;
  std::vector<std::string> warnings;
};
FeatureEnv feature_option_env(const FeatureMetadata& metadata, const nlohmann::json& value, const std::string& feature_id);

// devcontainer-features.env: NAME="value" lines, each value quoted so that sourcing it with `.` gives
// the value as written ($ and ` are not expanded).
std::string feature_env_file(const std::vector<std::pair<std::string, std::string>>& vars);

// The spec's environment variable name for an option id.
std::string option_env_name(const std::string& option_id);

// The entry a Feature adds to the image's devcontainer.metadata label, as the reference CLI writes it:
// {"id": <id as written>, and what the Feature declares of the lifecycle commands, init, privileged,
// capAdd, securityOpt, entrypoint, mounts, customizations}.
nlohmann::json feature_metadata_entry(const std::string& user_id, const FeatureMetadata& metadata);

}  // namespace dlc::config
