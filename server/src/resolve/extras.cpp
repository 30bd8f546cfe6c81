// Extras over the base image: apt packages for what the code imports, pip for the requirements.
#include <algorithm>
#include <cctype>
#include <set>

#include "inspect/text.h"
#include "resolve/resolver.h"

namespace dlc::resolve {

using inspect::Source;

bool conda_only(const std::string& name) {
  static const std::set<std::string> kNames = {"pip", "python", "setuptools", "wheel", "mkl", "mkl-service", "mkl-fft",
                                               "mkl-random", "mkl-include", "blas", "openblas", "intel-openmp", "nccl",
                                               "ca-certificates", "openssl", "certifi", "ninja-base", "cudatoolkit", "cxx-compiler",
                                               "gcc", "gxx", "gcc-linux-64", "gxx-linux-64", "sysroot-linux-64", "cmake", "make",
                                               "pytorch-mutex", "ffmpeg", "cpuonly", "readline", "sqlite", "tk", "xz", "zlib",
                                               "ncurses", "bzip2", "magma"};
  return kNames.count(name) || inspect::starts_with(name, "lib") || inspect::starts_with(name, "_") ||
         inspect::starts_with(name, "magma-cuda") || inspect::starts_with(name, "mkl-");
}

void Resolver::decide_apt() {
  std::vector<std::string> pkgs;
  std::vector<std::string> why;
  auto add = [&](const std::string& p) {
    if (std::find(pkgs.begin(), pkgs.end(), p) == pkgs.end()) pkgs.push_back(p);
  };
  Decision d{"apt", "", "", {}, {}, {}};
  for (const auto& n : facts_.system_needs) {
    for (const auto& p : n.packages) add(p);
    why.push_back(n.source.str() + " imports " + n.module + ": " + n.why);
    d.facts.push_back(n.source);
  }
  if (!plan_.base_has_python && python2_) {
    add("python");
    add("python-pip");
    why.push_back("the code needs Python 2, which the base image has not");
  } else if (!plan_.base_has_python && (!plan_.pip_packages.empty() || plan_.mode == "image")) {
    add("python3");
    add("python3-pip");
    why.push_back("the base image has no Python");
  }
  bool vcs = std::any_of(plan_.pip_packages.begin(), plan_.pip_packages.end(),
                         [](const std::string& r) { return r.find("git+") != std::string::npos; });
  if (vcs) {
    add("git");
    why.push_back("a requirement is fetched with git");
  }
  bool cpp_only = std::any_of(facts_.cuda_code.begin(), facts_.cuda_code.end(), [](const inspect::CudaCode& c) { return c.kind == "cpp-extension"; });
  if (cpp_only && plan_.flavor != "devel") {
    add("build-essential");
    why.push_back("setup.py builds a C++ extension and the image is not a -devel one");
  }
  if (pkgs.empty()) return;
  plan_.apt_packages = pkgs;
  d.choice = join(pkgs, " ");
  d.reason = join(why, "; ");
  plan_.decisions.push_back(std::move(d));
}

void Resolver::decide_pip(const std::vector<std::string>& provided, const std::string& replaced_by) {
  // The plan took another CUDA build of the same release: wheels and indexes named for the old one follow.
  auto retag = [&](std::string text, const std::string& lead) {
    if (relaxed_from_tag_.empty()) return text;
    for (std::size_t at = text.find(lead + relaxed_from_tag_); at != std::string::npos; at = text.find(lead + relaxed_from_tag_, at + 1)) {
      std::size_t end = at + lead.size() + relaxed_from_tag_.size();
      if (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) continue;  // cu11 is not cu118
      text.replace(at + lead.size(), relaxed_from_tag_.size(), relaxed_to_tag_);
    }
    return text;
  };
  std::set<std::string> seen;
  std::vector<std::string> dropped;
  Decision d{"pip", "", "", {}, {}, {}};
  for (const auto& p : plan_.pip_packages) {
    if (auto r = inspect::parse_requirement(p, Source{})) seen.insert(r->name);
  }
  for (const auto* r : main_) {
    if (r->group == "constraints") continue;
    if (seen.count(r->name)) continue;
    seen.insert(r->name);
    if (std::find(provided.begin(), provided.end(), r->name) != provided.end()) {
      dropped.push_back(r->name + " (" + r->source.str() + "): the image has " + plan_.framework + " " + plan_.framework_version);
      continue;
    }
    if (!replaced_by.empty() && catalog_.framework_of_package(r->name) &&
        catalog_.framework_of_package(r->name) == catalog_.framework_of_package(replaced_by)) {
      dropped.push_back(r->name + " (" + r->source.str() + "): replaced by the plan's " + replaced_by + " requirement");
      continue;
    }
    if (r->origin == "conda" && conda_only(r->name)) {
      dropped.push_back(r->name + " (" + r->source.str() + "): a conda package with no pip counterpart to install");
      continue;
    }
    plan_.pip_packages.push_back(retag(r->raw, "+"));
    d.facts.push_back(r->source);
  }
  std::string patched = patch_pin_ && patch_pin_->image_version == plan_.framework_version ? install_patch_pin() : "";
  if (!provided.empty() && !plan_.framework_version.empty()) {
    for (const auto& p : provided) plan_.pip_constraints.push_back(p + "==" + plan_.framework_version + ".*");
  }
  for (const auto& o : facts_.pip_options) {
    if (o.option == "readme-url" || o.option == "dockerfile-url") continue;  // prose and other builds, not requirement files
    plan_.pip_options.push_back(o.option);
    if (!o.value.empty()) plan_.pip_options.push_back(retag(o.value, "/"));
  }
  for (const auto& r : facts_.requirements) {
    if (r.editable && (r.group.empty()) && !r.weak) {
      plan_.warnings.push_back(r.source.str() + " installs " + (r.url.empty() ? r.name : r.url) +
                               " from the repository itself; run `pip install -e .` (or the file's line) in the container");
    }
  }
  if (plan_.pip_packages.empty() && dropped.empty()) return;
  d.choice = plan_.pip_packages.empty() ? "nothing" : std::to_string(plan_.pip_packages.size()) + " requirement" + (plan_.pip_packages.size() == 1 ? "" : "s");
  d.reason = patched + "the repository's main requirements (" + join(facts_.manifests, ", ") + "), less what the image has";
  if (!plan_.pip_constraints.empty()) d.reason += "; pip is held to " + join(plan_.pip_constraints, ", ") + " so that nothing replaces the image's framework";
  d.rejected = dropped;
  plan_.decisions.push_back(std::move(d));
}

// The pinned patch over its minor's image or pip line, with PyTorch's wheel index for the image's CUDA
// as an extra index: `torch==1.10.1` then matches that index's 1.10.1+cu113, which pip prefers to
// PyPI's 1.10.1 (a local label sorts higher), and where the index has no such build (releases whose
// default CUDA build was published unlabelled, as 1.3.1's CUDA 10.1 one) PyPI's is that build. The
// framework is held to the patch, and the plan's framework version becomes what the container has.
std::string Resolver::install_patch_pin() {
  const PatchPin& pin = *patch_pin_;
  std::string label = "cpu";
  if (plan_.gpu && !plan_.cuda.empty()) {
    label = "cu";
    for (char c : plan_.cuda.substr(0, plan_.cuda.find('.', plan_.cuda.find('.') + 1))) {
      if (c != '.') label += c;
    }
  }
  std::string req = pin.package + "==" + pin.version;
  auto same = [&](const std::string& p) { return p == pin.package + "==" + pin.image_version; };
  plan_.pip_packages.erase(std::remove_if(plan_.pip_packages.begin(), plan_.pip_packages.end(), same), plan_.pip_packages.end());
  plan_.pip_packages.insert(plan_.pip_packages.begin(), req);
  plan_.pip_options.push_back("--extra-index-url");
  plan_.pip_options.push_back("https://download.pytorch.org/whl/" + label);
  plan_.framework_version = pin.version;
  return pin.package + " " + pin.version + " is pinned and " + plan_.base_image + " has " + pin.image_version + ": " + req +
         " replaces it, its " + label + " build from https://download.pytorch.org/whl/" + label + "; then ";
}

}  // namespace dlc::resolve
