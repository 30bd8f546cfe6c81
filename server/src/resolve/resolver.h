// The resolver's steps, shared by the files that hold them (resolver.cpp sequences them; the
// repository's own configuration, the framework, its version evidence, the image, the GPU's
// architecture, the base images and the extras each have a file). Internal to resolve/: the public
// entry point is resolve() in plan.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "inspect/markers.h"
#include "inspect/parsers.h"
#include "resolve/gpu_arch.h"
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
// The framework a base image is, by the catalog or by its repository's tag scheme; `version` gets a
// specifier of its release when the tag says ("==1.4.*"), `cuda` its CUDA when known.
std::string unlisted_framework(std::string_view package_or_module);
const Framework* framework_of_image(const Catalog& catalog, const std::string& image, std::string* version, std::string* cuda = nullptr);
// Conda packages that have no pip counterpart to install (the toolchain and C libraries conda ships).
bool conda_only(const std::string& name);

class Resolver {
 public:
  Resolver(const inspect::RepoFacts& f, const gpu::HostFacts& h, const Catalog& c, const ResolveOptions& o)
      : facts_(f), catalog_(c), options_(o), host_(view_host(h, c)) {}

  Plan run();

 private:
  // The candidates for a framework's version, in the order to try them (newest of the repository's
  // era first), and why.
  struct Releases {
    std::vector<Ask> asks;
    std::vector<const FrameworkRelease*> ordered;
    std::string reason;
    std::vector<inspect::Source> facts;
    std::vector<std::string> citations;
    bool exact = false;  // one release, pinned: nothing else is tried
  };
  // An image of a release that fits the asks and the driver.
  struct ImageOption {
    const FrameworkImage* img;
    CudaCheck check;
    ArchFit fit;
  };
  // What the images of one release are tried against.
  struct ImageFilter {
    bool cuda_asks = true;  // false: the repository's CUDA asks are relaxed (the same release's other CUDA builds)
    bool arch = true;       // false: images the GPU cannot run are taken too (and said so)
  };
  struct ReleaseImages {
    std::vector<ImageOption> ok;
    std::vector<std::string> rejected, why_not;
    bool driver_blocked = false, cuda_blocked = false, arch_blocked = false, python_blocked = false;
  };

  // ---- the steps (resolver.cpp)
  void decide_host();
  void collect_requirements();
  // ---- the repository's own configuration (repo_config.cpp)
  bool from_devcontainer();
  bool from_dockerfile();
  // The CUDA of a base image the catalog knows or whose tag names it; "" otherwise.
  std::string cuda_of_base(const std::string& image);
  void check_base_driver(const std::string& image, const std::string& what, bool refuse);
  // ---- the framework (framework.cpp)
  const Framework* choose_framework();
  const Framework* framework_from_option();
  // ---- its version: asks, companions, removed APIs, the era (versions.cpp)
  Releases candidate_releases(const Framework& fw);
  void framework_asks(const Framework& fw, std::vector<Ask>& asks, std::vector<Ask>& weak_asks);
  std::vector<const FrameworkRelease*> match_near(const Framework& fw, std::vector<Ask>& asks, Releases& out);
  void apply_companions(const Framework& fw, std::vector<const FrameworkRelease*>& candidates, Releases& out);
  void apply_removed_apis(const Framework& fw, std::vector<const FrameworkRelease*>& candidates, Releases& out);
  void order_by_era(const Framework& fw, std::vector<const FrameworkRelease*>& candidates, Releases& out);
  // Dockerfile FROM lines (other than a root Dockerfile's) that name an image of `fw`: version asks.
  std::vector<Ask> dockerfile_image_asks(const Framework& fw) const;
  // ---- its image (framework_image.cpp)
  void choose_framework_image(const Framework& fw);
  ReleaseImages images_of(const Framework& fw, const FrameworkRelease& rel, const std::vector<Ask>& cuda_asks, ImageFilter filter);
  void use_pip_on_python(const Framework& fw, const FrameworkRelease& rel, const Releases& r);
  void commit_framework_image(const Framework& fw, const FrameworkRelease& rel, const Releases& r, std::vector<ImageOption>& ok,
                              const std::vector<std::string>& rejected, const std::vector<std::string>& rejected_releases,
                              const std::vector<Ask>& cuda_asks, const std::vector<Ask>& cudnn_asks);
  bool use_cuda_devel_base(const Framework& fw, const FrameworkRelease& rel, const FrameworkImage& img, Decision& d);
  // The same release's build for another CUDA: the release has none of the CUDA asked for (release_without_build
  // names it), or none that the driver runs.
  void say_cuda_relaxed(const std::vector<Ask>& cuda_asks, const std::string& from_cuda, const std::string& to_cuda,
                        const std::string& release_without_build);
  [[noreturn]] void no_framework_image(const Framework& fw, const Releases& r, const std::vector<std::string>& rejected_releases,
                                       bool driver_blocked);
  // ---- the GPU's architecture (gpu_arch.cpp)
  ArchFit arch_fit(const Framework& fw, const FrameworkRelease& rel, const FrameworkImage& img, const CudaCheck& check) const;
  void decide_arch(const Framework& fw, const FrameworkImage& img, const ArchFit& fit);
  // ---- Python 2 code (python_major.cpp)
  std::vector<Ask> python2_asks() const;
  std::string python2_mismatch(const Framework& fw, const FrameworkImage& img, const std::vector<Ask>& asks) const;
  void use_pip_on_cuda_for_python2(const Framework& fw, const FrameworkRelease& rel, const FrameworkImage& img, const Releases& r,
                                   const std::vector<Ask>& asks);
  // ---- no framework: a CUDA base, or Python (bases.cpp)
  void choose_cuda_image(const std::vector<Ask>& extra_cuda_asks = {}, bool libraries = false);
  void choose_python_image(const std::string& framework_range, const std::string& why_range);
  void decide_python_of_image(const std::string& image_python, const std::string& image);
  // A framework the catalog has no images for (MXNet, JAX): a CUDA base with cuDNN, and the framework from pip.
  void choose_unlisted_framework();
  void warn_unlisted_wheel(const inspect::Requirement* required);
  // Its release from the catalog's rows, when it has them (JAX): sets version, returns the CUDA specifier of its wheels.
  std::string unlisted_release(std::string& version);
  // ---- extras (extras.cpp)
  void decide_apt();
  void decide_pip(const std::vector<std::string>& provided, const std::string& replaced_by);

  // ---- helpers
  std::vector<Ask> strong_hints(const std::string& subject) const;
  std::vector<Ask> weak_hints(const std::string& subject) const;
  bool needs_devel(std::string* why, std::vector<inspect::Source>* where) const;
  bool pyg_wheel_index() const;
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
  std::vector<const inspect::Requirement*> main_;    // main group, applies, not weak
  std::vector<const inspect::Requirement*> other_;   // optional groups, not weak
  std::vector<const inspect::Requirement*> docker_;  // RUN pip/conda install lines of Dockerfiles
  std::vector<const inspect::Requirement*> weak_;    // README
  std::string devel_why_;
  std::vector<inspect::Source> devel_where_;
  bool devel_ = false;
  // A framework the code uses that the catalog has no images for ("MXNet"), and why it was chosen.
  std::string unlisted_;
  std::string unlisted_why_;
  std::vector<inspect::Source> unlisted_where_;
  // local-label rewrites when the plan takes another CUDA build of the same release ("cu121" -> "cu118")
  std::string relaxed_from_tag_, relaxed_to_tag_;
  // A PyTorch pin of a patch release without an image (torch==1.10.1): the plan takes its minor's
  // image (1.10.0) and pip installs the pinned wheel over it, built for the image's CUDA.
  struct PatchPin {
    std::string package, version, image_version;
  };
  std::optional<PatchPin> patch_pin_;
  std::string install_patch_pin();
  bool python2_ = false;  // the base gets the OS's Python 2 from apt
};

}  // namespace dlc::resolve
