// The resolver's steps, shared by the files that hold them (resolver.cpp sequences them; the
// repository's own configuration, the framework, the base images and the extras each have a file).
// Internal to resolve/: the public entry point is resolve() in plan.h.
#pragma once

#include <string>
#include <vector>

#include "inspect/markers.h"
#include "inspect/parsers.h"
#include "resolve/host_check.h"
#include "resolve/plan.h"

namespace dlc::resolve {

// What the repository (or an option) asks of a version: a PEP 440 specifier, its text and its place.
struct Ask {
  std::string spec;  // PEP 440
  std::string text;  // what the repository says
  inspect::Source where;
};

std::string where_text(const Ask& a);
// "==11.3.*" reads as "11.3"; other specifiers as written.
std::string spec_words(const std::string& spec);
// A specifier without local labels (and, for PaddlePaddle, without the .postNNN that names its CUDA
// build), so that it can be matched against the catalog's plain release versions.
std::string strip_build_tags(const std::string& spec, bool strip_post);
// Whether a release dated `released` ("2019-06" or "2019-06-15") was out by `date`; true when either is unknown.
bool released_by(const std::string& released, const std::string& date);
std::string join(const std::vector<std::string>& v, const std::string& sep);
// Ubuntu's own python3 (for nvidia/cuda images, which have none until apt installs it).
std::string ubuntu_python(const std::string& os);
// Conda packages that have no pip counterpart to install (the toolchain and C libraries conda ships).
bool conda_only(const std::string& name);

class Resolver {
 public:
  Resolver(const inspect::RepoFacts& f, const gpu::HostFacts& h, const Catalog& c, const ResolveOptions& o)
      : facts_(f), catalog_(c), options_(o), host_(view_host(h, c)) {}

  Plan run();

 private:
  // The candidates for a framework's version, newest (of the repository's era) first, and why.
  struct Releases {
    std::vector<Ask> asks;
    std::vector<const FrameworkRelease*> ordered;
    std::string reason;
  };
  // An image of a release that fits the asks and the driver.
  struct ImageOption {
    const FrameworkImage* img;
    CudaCheck check;
  };

  // ---- the steps (resolver.cpp)
  void decide_host();
  void collect_requirements();
  // ---- the repository's own configuration (repo_config.cpp)
  bool from_devcontainer();
  bool from_dockerfile();
  void check_base_driver(const std::string& image, const std::string& what);
  // ---- the framework (framework.cpp, framework_image.cpp)
  const Framework* choose_framework();
  Releases candidate_releases(const Framework& fw);
  void choose_framework_image(const Framework& fw);
  void use_pip_on_python(const Framework& fw, const FrameworkRelease& rel, const Releases& r);
  void commit_framework_image(const Framework& fw, const FrameworkRelease& rel, const Releases& r, std::vector<ImageOption>& ok,
                              const std::vector<std::string>& rejected, const std::vector<std::string>& rejected_releases,
                              const std::vector<Ask>& cuda_asks, const std::vector<Ask>& cudnn_asks);
  bool use_cuda_devel_base(const Framework& fw, const FrameworkRelease& rel, const FrameworkImage& img, Decision& d);
  [[noreturn]] void no_framework_image(const Framework& fw, const Releases& r, const std::vector<std::string>& rejected_releases,
                                       bool driver_blocked);
  // ---- no framework: a CUDA base, or Python (bases.cpp)
  void choose_cuda_image();
  void choose_python_image(const std::string& framework_range, const std::string& why_range);
  void decide_python_of_image(const std::string& image_python, const std::string& image);
  // ---- extras (extras.cpp)
  void decide_apt();
  void decide_pip(const std::vector<std::string>& provided, const std::string& replaced_by);

  // ---- helpers
  std::vector<Ask> strong_hints(const std::string& subject) const;
  std::vector<Ask> weak_hints(const std::string& subject) const;
  bool needs_devel(std::string* why, std::vector<inspect::Source>* where) const;
  bool applies(const inspect::Requirement& r) const {
    auto m = inspect::evaluate_marker(r.marker, marker_env_);
    return !m || *m;
  }
  Decision& decide(std::string topic, std::string choice, std::string reason) {
    plan_.decisions.push_back(Decision{std::move(topic), std::move(choice), std::move(reason), {}, {}, {}});
    return plan_.decisions.back();
  }

  const inspect::RepoFacts& facts_;
  const Catalog& catalog_;
  const ResolveOptions& options_;
  HostView host_;
  inspect::MarkerEnvironment marker_env_;
  Plan plan_;
  bool gpu_mode_ = false;
  std::vector<const inspect::Requirement*> main_;   // main group, applies, not weak
  std::vector<const inspect::Requirement*> other_;  // optional groups, not weak
  std::vector<const inspect::Requirement*> weak_;   // README
  std::string devel_why_;
  std::vector<inspect::Source> devel_where_;
  bool devel_ = false;
};

}  // namespace dlc::resolve
