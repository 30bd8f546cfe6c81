// From a Plan to the files that make its image: a Dockerfile (base, apt and pip extras, mirrors, a
// user with the host's uid) and, for `dlcontainer init`, a devcontainer.json that stock tools read.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "resolve/plan.h"

namespace dlc::resolve {

struct DockerfileOptions {
  unsigned uid = 0;  // 0: no user is made; the image runs as root
  unsigned gid = 0;
  std::string user = "dev";
};

// The Dockerfile of a mode "image" plan. Every value that reaches a shell is single-quoted.
std::string render_dockerfile(const Plan& plan, const DockerfileOptions& options);

// The tag an image built from `dockerfile` gets: the same content, the same tag, so an unchanged
// plan is never built twice ("dlcontainer/plan:<16 hex>").
std::string plan_image_tag(const std::string& dockerfile);

// The devcontainer.json `dlcontainer init` writes for a plan: build from .devcontainer/Dockerfile
// (mode image), from the repository's Dockerfile (mode dockerfile), with the choices recorded under
// customizations.dlcontainer and hostRequirements.gpu when the plan uses a GPU.
nlohmann::json render_devcontainer(const Plan& plan, const std::string& name);

// Quotes a word for /bin/sh on one Dockerfile line (line breaks become spaces).
std::string shell_quote(const std::string& word);

}  // namespace dlc::resolve
