// YAML files of a repository (environment.yml, cog.yaml), loaded with bounds: a parse error or a
// nesting deep enough to exhaust yaml-cpp's recursion is a warning naming the file, and no document.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "inspect/facts.h"

namespace dlc::inspect {

std::optional<YAML::Node> load_yaml(std::string_view text, const std::string& file, RepoFacts& out);

}  // namespace dlc::inspect
