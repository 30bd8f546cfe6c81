// plan, init: what image a repository gets and why; the devcontainer.json that records it.
#include <cstdio>

#include "cli/cli.h"
#include "cli/terminal.h"
#include "core/plan.h"

namespace dlc::cli {

namespace {

void add_plan_flags(CLI::App* cmd, core::PlanParams& p) {
  cmd->add_option("workspace", p.workspace, "the repository folder or git URL (default: .)");
  cmd->add_option("--driver", p.driver, "plan for this NVIDIA driver (as nvidia-smi prints it) instead of this host's");
  cmd->add_flag("--no-gpu,--cpu", p.no_gpu, "plan for a host without a GPU: a CPU image");
  cmd->add_option("--gpu-arch", p.gpu_arch, "plan for GPUs of this compute capability (9.0 for H100/H200, 8.0 for A100) instead of this host's");
  cmd->add_option("--catalog", p.catalog, "a catalog file merged over the built-in one (see docs/resolve.md)");
  cmd->add_option("--framework", p.framework, "use this framework release, e.g. torch==1.11.0 (overrides the repository)");
  cmd->add_option("--cuda", p.cuda, "only images of this CUDA, e.g. 11.3");
  cmd->add_option("--python", p.python, "this Python, where the base image lets it be chosen");
  cmd->add_flag("--devel", p.devel, "a -devel image (with nvcc) even when nothing compiles CUDA code");
}

std::string source_list(const std::vector<inspect::Source>& facts) {
  std::string out;
  for (const auto& s : facts) out += (out.empty() ? "" : ", ") + s.str();
  return out;
}

void print_plan(const core::PlanResult& r) {
  const auto& p = r.plan;
  std::printf("%s %s%s\n", paint(1, "plan for", "1").c_str(), r.workspace.c_str(),
              p.commit_date.empty() ? "" : (" (HEAD of " + p.commit_date + ")").c_str());
  auto row = [](const char* label, const std::string& value) {
    if (!value.empty()) std::printf("  %-10s %s\n", label, value.c_str());
  };
  row("host", p.host);
  if (p.mode == "dockerfile") row("builds", "the repository's " + p.dockerfile + " (FROM " + p.base_image + ")");
  else if (p.mode == "devcontainer") row("uses", "its devcontainer.json" + (p.base_image.empty() ? std::string() : " (" + p.base_image + ")"));
  else row("image", p.base_image);
  if (!p.framework.empty()) row("framework", p.framework + " " + p.framework_version);
  if (p.gpu) {
    std::string cuda = p.cuda + (p.cudnn.empty() ? "" : " (cuDNN " + p.cudnn + ")") + ", " + p.flavor;
    if (!p.driver_required.empty()) cuda += ", needs driver >= " + p.driver_required;
    if (p.minor_version_compatibility) cuda += " (minor-version compatibility)";
    row("CUDA", cuda);
  } else if (p.mode == "image") {
    row("CUDA", "none: a CPU image");
  }
  if (p.mode == "image") row("Python", p.python.empty() ? "the image's own" : p.python);
  if (!p.apt_packages.empty()) {
    std::string apt;
    for (const auto& a : p.apt_packages) apt += (apt.empty() ? "" : " ") + a;
    row("apt", apt);
  }
  if (!p.pip_packages.empty()) {
    std::string pip;
    for (const auto& a : p.pip_packages) pip += (pip.empty() ? "" : " ") + a;
    if (pip.size() > 100) pip = pip.substr(0, 97) + "...";
    row("pip", pip);
  }
  if (!r.image.empty()) row("tag", r.image + " (built by `dlcontainer up`; `dlcontainer init` writes it out)");
  std::printf("\n%s\n", paint(1, "why", "1").c_str());
  for (const auto& d : p.decisions) {
    std::printf("  %s %s: %s\n", paint(1, "✔", "32").c_str(), d.topic.c_str(), d.choice.c_str());
    std::printf("      %s\n", d.reason.c_str());
    if (!d.facts.empty()) std::printf("      %s\n", paint(1, "from " + source_list(d.facts), "2").c_str());
    for (const auto& c : d.citations) std::printf("      %s\n", paint(1, "per " + c, "2").c_str());
    for (const auto& rej : d.rejected) std::printf("      %s %s\n", paint(1, "✗", "2").c_str(), paint(1, rej, "2").c_str());
  }
  if (!p.warnings.empty()) {
    std::printf("\n%s\n", paint(1, "warnings", "1;33").c_str());
    for (const auto& w : p.warnings) std::printf("  %s %s\n", paint(1, "!", "33").c_str(), w.c_str());
  }
}

}  // namespace

void add_plan_commands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand("plan", "show the image a repository gets, and why, without running anything");
    auto params = std::make_shared<core::PlanParams>();
    auto json = std::make_shared<bool>(false);
    auto dockerfile = std::make_shared<bool>(false);
    add_plan_flags(cmd, *params);
    cmd->add_flag("--json", *json, "print the plan, the repository's facts and the Dockerfile as JSON");
    cmd->add_flag("--strict", params->strict, "refuse a devcontainer.json property dlcontainer does not use (else a warning)");
    cmd->add_flag("--dockerfile", *dockerfile, "print only the Dockerfile that `up` would build");
    cmd->callback([&ctx, params, json, dockerfile] {
      params->host = ctx.host;
      auto r = core::plan_workspace(*params);
      if (*json) print_json(r);
      else if (*dockerfile) std::fputs(r.dockerfile.c_str(), stdout);
      else print_plan(r);
    });
  }
  {
    auto* cmd = app.add_subcommand("init", "write the plan as .devcontainer/devcontainer.json (and its Dockerfile)");
    auto params = std::make_shared<core::InitParams>();
    auto json = std::make_shared<bool>(false);
    add_plan_flags(cmd, params->plan);
    cmd->add_flag("--force", params->force, "overwrite an existing .devcontainer/devcontainer.json and .devcontainer/Dockerfile");
    cmd->add_flag("--json", *json, "print the result as JSON");
    cmd->callback([&ctx, params, json] {
      params->plan.host = ctx.host;
      auto r = core::init_workspace(*params);
      if (*json) {
        print_json(r);
        return;
      }
      for (const auto& f : r.written) std::printf("%s wrote %s\n", paint(1, "✔", "32").c_str(), f.c_str());
      std::printf("  image      %s\n", r.plan.base_image.c_str());
      std::printf("  next       dlcontainer up %s   (VS Code, DevPod and the devcontainer CLI read the same file)\n", r.workspace.c_str());
    });
  }
}

}  // namespace dlc::cli
