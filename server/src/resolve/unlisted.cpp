// A framework the catalog has no images for (MXNet, JAX): an nvidia/cuda base with cuDNN and the
// framework from pip. Where the catalog has its releases (JAX: dates and the CUDA of its wheels),
// they choose the version and the CUDA as a listed framework's do.
#include <algorithm>

#include "inspect/text.h"
#include "inspect/version.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Source;
using inspect::SpecifierSet;
using inspect::Version;

namespace {

// A specifier that holds exactly the CUDA minors a release's wheels are built for, among the CUDA
// images the catalog has (">=11.8,!=12.0.*,!=12.1.*,<12.9"): the CUDA base is chosen from these.
std::string cuda_spec_of(const FrameworkRelease& rel, const Catalog& catalog) {
  std::vector<Version> listed;
  for (const auto& c : rel.cuda) {
    if (auto v = Version::parse(c)) listed.push_back(*v);
  }
  if (listed.empty()) return "";
  auto [lo, hi] = std::minmax_element(listed.begin(), listed.end());
  auto minor = [](const std::string& cuda) {
    std::size_t dot = cuda.find('.');
    return cuda.substr(0, cuda.find('.', dot == std::string::npos ? dot : dot + 1));
  };
  std::string top = minor(hi->str());
  std::size_t dot = top.find('.');
  std::string spec = ">=" + lo->str() + ",<" + top.substr(0, dot + 1) + std::to_string(std::stoi(top.substr(dot + 1)) + 1);
  std::vector<std::string> excluded;
  for (const auto& img : catalog.cuda_images()) {
    std::string m = minor(img.cuda);
    auto v = Version::parse(m);
    if (!v || *v < *lo || *hi < *v) continue;
    bool built = std::find(rel.cuda.begin(), rel.cuda.end(), m) != rel.cuda.end();
    if (!built && std::find(excluded.begin(), excluded.end(), m) == excluded.end()) excluded.push_back(m);
  }
  for (const auto& m : excluded) spec += ",!=" + m + ".*";
  return spec;
}

}  // namespace

// The release of a framework without images, from the catalog's rows when it has them: the version
// rules of a listed framework (pins, the era of HEAD), then the first release with a CUDA build this
// driver runs. Returns the CUDA the base must have ("" : any), and sets `version`.
std::string Resolver::unlisted_release(std::string& version) {
  const Framework* fw = catalog_.framework(inspect::to_lower(unlisted_));
  if (!fw || fw->releases.empty()) return "";
  Releases r;
  try {
    r = candidate_releases(*fw);
  } catch (const Error& e) {
    // A pin the rows do not know (newer than the newest row): pip installs it as pinned, on a CUDA the driver runs.
    plan_.warnings.push_back(std::string(e.what()) + "; " + fw->display + " is installed from pip as the repository pins it");
    return "";
  }
  const FrameworkRelease* chosen = nullptr;
  std::string spec;
  for (const auto* rel : r.ordered) {
    spec = cuda_spec_of(*rel, catalog_);
    bool runs = !gpu_mode_ || spec.empty() || std::any_of(catalog_.cuda_images().begin(), catalog_.cuda_images().end(), [&](const CudaImage& img) {
                  auto set = SpecifierSet::parse(spec);
                  return set && set->contains(img.cuda) && check_cuda(img.cuda, host_, catalog_).ok;
                });
    if (runs) {
      chosen = rel;
      break;
    }
  }
  if (!chosen) return "";
  if (version.empty()) version = chosen->version;
  auto& d = decide("version", fw->display + " " + version, r.reason);
  d.facts = r.facts;
  d.citations = r.citations;
  d.citations.push_back(catalog_.cite(chosen->source));
  if (!gpu_mode_ || spec.empty()) return "";
  d.reason += "; its wheels are built for CUDA " + join(chosen->cuda, ", ");
  return spec;
}

// The code uses a framework the catalog has no images for: the nvidia/cuda image with cuDNN that the
// driver runs (of the CUDA its wheel names, when a requirement names one), and the framework from pip.
void Resolver::choose_unlisted_framework() {
  auto& d = decide("framework", unlisted_ + " (not in the catalog)",
                   unlisted_why_ + "; the catalog has no " + unlisted_ + " images, so the plan is an nvidia/cuda image with cuDNN and " +
                       unlisted_ + " installed by pip from the repository's requirements");
  d.facts = unlisted_where_;
  // The requirement that carries the framework's version: mxnet-cu101, or jax (before jaxlib; flax has
  // its own); a pinned one before one that is not (requirements.txt's jax==0.2.14, setup.py's jax).
  const inspect::Requirement* required = nullptr;
  auto pinned = [](const inspect::Requirement* r) {
    auto spec = inspect::SpecifierSet::parse(r->specifier);
    return spec ? spec->exact() : std::nullopt;
  };
  auto rank = [&](const inspect::Requirement* r) { return (r->name == "jax" ? 2 : 0) + (pinned(r) ? 1 : 0); };
  // The main requirements first; else, tier by tier, optional groups, Dockerfiles, the README's
  // install commands (simpledet's `pip install https://.../mxnet_cu101-1.6.0b20191214-...whl`).
  for (const auto* tier : {&main_, &other_, &docker_, &weak_}) {
    for (const auto* r : *tier) {
      if (unlisted_framework(r->name) == unlisted_ && r->name != "flax" && (!required || rank(r) > rank(required))) required = r;
    }
    if (required) break;
  }
  std::string version;
  if (required) {
    if (auto p = pinned(required)) version = p->public_version().str();
  }
  std::string cuda_spec = unlisted_release(version);
  warn_unlisted_wheel(required);
  if (gpu_mode_) {
    std::vector<Ask> asks;
    if (!cuda_spec.empty()) asks.push_back(Ask{cuda_spec, unlisted_ + " " + version + "'s CUDA wheels", required ? required->source : unlisted_where_.front()});
    choose_cuda_image(asks, true);
  } else {
    plan_.flavor = "cpu";
    choose_python_image("", "");
    decide_pip({}, "");
  }
  // The plan records what is installed, though the catalog has no images for it.
  plan_.framework = inspect::to_lower(unlisted_);
  plan_.framework_version = version;
}

// What pip cannot be trusted to get right for a framework without images: MXNet's GPU wheels carry
// their CUDA in the name; PyPI's jaxlib is CPU-only, JAX's CUDA builds come as an extra (from 0.4.26)
// or from JAX's own wheel page, which a repository's plain `jax`/`jaxlib` does not ask for.
void Resolver::warn_unlisted_wheel(const inspect::Requirement* required) {
  std::string where = unlisted_where_.front().str();
  if (unlisted_ == "MXNet" && !required) {
    plan_.warnings.push_back(unlisted_ + " is used (" + where + ") but no requirement names its wheel: install the one built "
                             "for the plan's CUDA in the container (MXNet's GPU wheels carry it in their name: mxnet-cu112 is CUDA 11.2)");
  }
  if (unlisted_ != "JAX") return;
  bool cuda_build = false;
  std::vector<const inspect::Requirement*> named = main_;
  if (required) named.push_back(required);  // README's `pip install "jax[cuda]"` when nothing else names it
  for (const auto* r : named) {
    if (unlisted_framework(r->name) != "JAX") continue;
    for (const auto& e : r->extras) cuda_build |= inspect::starts_with(e, "cuda");
    cuda_build |= r->specifier.find("+cuda") != std::string::npos;
  }
  if (!gpu_mode_ && required) return;
  if (!gpu_mode_) {
    plan_.warnings.push_back("JAX is used (" + where + ") but no requirement names it: install jax in the container");
  } else if (!cuda_build) {
    plan_.warnings.push_back("JAX is used (" + where + ") but " + (required ? "its requirement (" + required->source.str() + ") asks PyPI's jaxlib, which is CPU-only"
                                                                           : "no requirement names it") +
                             ": install the CUDA build in the container (`pip install \"jax[cuda12]\"` from JAX 0.4.26 on; older releases: "
                             "the jaxlib build for the image's CUDA from https://storage.googleapis.com/jax-releases/jax_cuda_releases.html)");
  }
}

}  // namespace dlc::resolve
