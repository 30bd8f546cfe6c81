// The repository's own choices win: its devcontainer.json, else a root Dockerfile; their base is
// still checked against the driver when the catalog knows its CUDA.
#include "inspect/text.h"
#include "inspect/version.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Source;

std::string Resolver::cuda_of_base(const std::string& image) {
  // One of the catalog's framework images: its CUDA, and which release it is.
  for (const auto& fw : catalog_.frameworks()) {
    for (const auto& rel : fw.releases) {
      for (const auto& img : rel.images) {
        if (img.image != image || img.cuda.empty()) continue;
        plan_.framework = fw.name;
        plan_.framework_version = rel.version;
        plan_.cudnn = img.cudnn;
        return img.cuda;
      }
    }
  }
  for (const auto& img : catalog_.cuda_images()) {
    if (img.image == image) return img.cuda;
  }
  if (const NgcRelease* n = catalog_.ngc_release_of(image)) return n->cuda;
  // A tag that names its CUDA: nvidia/cuda:11.3.1-cudnn8-devel-ubuntu20.04, pytorch/pytorch:1.4-cuda10.1-cudnn7-devel.
  std::string version, cuda;
  const Framework* fw = framework_of_image(catalog_, image, &version, &cuda);
  if (fw && !cuda.empty()) return cuda;
  // A tag of a patch the catalog lacks (tensorflow/tensorflow:2.3.1-gpu): its minor's releases' CUDA, when they agree.
  if (auto pinned = fw && inspect::starts_with(version, "==") ? inspect::Version::parse(version.substr(2)) : std::nullopt;
      pinned && image.find("gpu") != std::string::npos) {
    std::string same;
    for (const auto& rel : fw->releases) {
      auto v = inspect::Version::parse(rel.version);
      if (!v || v->major() != pinned->major() || v->minor() != pinned->minor()) continue;
      for (const auto& img : rel.images) {
        if (img.kind != "gpu") continue;
        if (!same.empty() && same != img.cuda) return "";
        same = img.cuda;
      }
    }
    if (!same.empty()) return same;
  }
  if (inspect::starts_with(image, "nvidia/cuda:")) {
    std::string tag = image.substr(12, image.find('-', 12) - 12);
    if (inspect::Version::parse(tag) && tag.find('.') != std::string::npos) return tag;
  }
  return "";
}

namespace {

// The newest image of the same kind that this driver runs: a way out for a base it cannot.
std::string runnable_alternative(const Catalog& catalog, const std::string& image, const HostView& host) {
  auto runs = [&](const std::string& cuda) { return check_cuda(cuda, host, catalog).ok; };
  auto runs_natively = [&](const std::string& cuda) {
    auto c = check_cuda(cuda, host, catalog);
    return c.ok && !c.compat;
  };
  for (const auto& fw : catalog.frameworks()) {
    const FrameworkImage* same = nullptr;
    for (const auto& rel : fw.releases) {
      for (const auto& img : rel.images) {
        if (img.image == image) same = &img;
      }
    }
    if (!same) continue;
    for (auto rel = fw.releases.rbegin(); rel != fw.releases.rend(); ++rel) {
      for (const auto& img : rel->images) {
        if (img.kind == "gpu" && img.flavor == same->flavor && runs(img.cuda)) return img.image;
      }
    }
  }
  if (catalog.ngc_release_of(image)) {
    for (auto n = catalog.ngc_releases().rbegin(); n != catalog.ngc_releases().rend(); ++n) {
      if (runs_natively(n->cuda) && !n->images.empty()) return n->images.front();
    }
  }
  for (const auto& img : catalog.cuda_images()) {
    if (img.image != image) continue;
    std::string best, best_cuda;
    for (const auto& other : catalog.cuda_images()) {
      if (other.flavor != img.flavor || other.cudnn.empty() != img.cudnn.empty() || !runs(other.cuda)) continue;
      auto v = inspect::Version::parse(other.cuda), b = inspect::Version::parse(best_cuda);
      if (best.empty() || (v && b && *b < *v)) best = other.image, best_cuda = other.cuda;
    }
    return best;
  }
  return "";
}

}  // namespace

// A base this driver cannot run: a warning for a devcontainer.json (used as written), an error for a
// Dockerfile that `up` would build (before it builds), with the ways out.
void Resolver::check_base_driver(const std::string& image, const std::string& what, bool refuse) {
  std::string cuda = cuda_of_base(image);
  if (cuda.empty()) {
    if (inspect::starts_with(image, "nvcr.io/nvidia/")) {
      plan_.warnings.push_back(what + " uses " + image + ", an NGC release the catalog does not list: its CUDA is not checked against the driver");
    }
    return;
  }
  plan_.cuda = cuda;
  plan_.gpu = true;
  auto check = check_cuda(cuda, host_, catalog_);
  const NgcRelease* ngc = catalog_.ngc_release_of(image);
  if (ngc && check.compat) {
    // NGC's support matrix asks for the toolkit's driver, or a data center branch it lists: its images'
    // NVIDIA_REQUIRE_CUDA check refuses other drivers, minor-version compatible or not.
    check.ok = false;
    check.compat = false;
    check.why = "NGC release " + ngc->release + " (CUDA " + cuda + ") needs driver >= " + check.min_driver + ", or on a data center GPU one of the "
                "branches NGC lists; driver " + host_.driver + " is neither";
  }
  plan_.driver_required = check.compat ? check.compat_driver : check.min_driver;
  plan_.minor_version_compatibility = check.compat;
  if (check.ok) {
    auto& d = decide("base", image, what + " uses " + image + " (CUDA " + cuda + ")" + (host_.kind == HostView::Kind::Driver ? "; " + host_.words : ""));
    if (ngc) d.citations.push_back(catalog_.cite(ngc->source));
    return;
  }
  if (ngc && host_.kind == HostView::Kind::Driver) {
    // NGC's containers carry the CUDA forward-compatibility package: on a data center GPU they also run
    // on the branches NGC lists (450.51 means 450.51 or a later R450).
    std::string branch = host_.driver.substr(0, host_.driver.find('.'));
    for (const auto& floor : ngc->data_center_drivers) {
      if (floor.substr(0, floor.find('.')) != branch || compare_driver(host_.driver, floor) < 0) continue;
      std::string note = what + " uses " + image + " (CUDA " + cuda + "), which needs driver >= " + check.min_driver + "; driver " + host_.driver +
                         " runs it only on a data center GPU (A100, H100, T4, ...), through the CUDA forward-compatibility package the "
                         "NGC image carries (R" + branch + " >= " + floor + ")";
      plan_.warnings.push_back(note);
      auto& d = decide("base", image, note);
      d.citations = {catalog_.cite(ngc->source), catalog_.cite("cuda-compat-forward")};
      return;
    }
  }
  std::string message = what + " uses " + image + ": " + check.why;
  if (!refuse || options_.cpu || host_.kind != HostView::Kind::Driver) {
    plan_.warnings.push_back(message);
    return;
  }
  std::string need = !check.compat_driver.empty() && compare_driver(host_.driver, check.compat_driver) < 0 &&
                             compare_driver(check.compat_driver, check.min_driver) < 0
                         ? check.compat_driver
                         : check.min_driver;
  std::string alt = runnable_alternative(catalog_, image, host_);
  throw Error(ErrorCode::DriverTooOld, message + "; the image the Dockerfile builds could not use the GPU",
              "update the NVIDIA driver to >= " + need +
                  (alt.empty() ? "" : ", or change the Dockerfile's FROM to " + alt + " (a CUDA this driver runs)") +
                  (ngc ? ", or run it on a data center GPU with a driver branch NGC lists for it" : "") +
                  ", or pass --cpu to plan without the GPU");
}

bool Resolver::from_devcontainer() {
  if (!options_.devcontainer) return false;
  const auto& dc = *options_.devcontainer;
  plan_.mode = "devcontainer";
  plan_.base_image = dc.image;
  plan_.dockerfile = dc.dockerfile;
  auto& d = decide("source", dc.file, dc.file + " exists, and a repository's devcontainer.json wins over inference: it is used as written");
  d.facts.push_back(Source{dc.file, 0});
  const auto& cz = dc.customizations;
  if (cz.is_object()) {
    auto str = [&](const char* key) { return cz.contains(key) && cz[key].is_string() ? cz[key].get<std::string>() : std::string(); };
    if (cz.contains("framework") && cz["framework"].is_object()) {
      const auto& fw = cz["framework"];
      if (fw.contains("name") && fw["name"].is_string()) plan_.framework = fw["name"];
      if (fw.contains("version") && fw["version"].is_string()) plan_.framework_version = fw["version"];
    }
    plan_.cuda = str("cuda");
    plan_.cudnn = str("cudnn");
    plan_.python = str("python");
    plan_.flavor = str("flavor");
  }
  if (!plan_.cuda.empty()) {
    plan_.gpu = true;
    auto check = check_cuda(plan_.cuda, host_, catalog_);
    plan_.driver_required = check.compat ? check.compat_driver : check.min_driver;
    plan_.minor_version_compatibility = check.compat;
    if (!check.ok) plan_.warnings.push_back(dc.file + " records CUDA " + plan_.cuda + " (customizations.dlcontainer): " + check.why);
  } else if (!dc.image.empty()) {
    check_base_driver(dc.image, dc.file, false);
  }
  return true;
}

bool Resolver::from_dockerfile() {
  for (const auto& b : facts_.dockerfiles) {
    // docker build's default file; Docker takes a lowercase dockerfile when there is no Dockerfile.
    if (inspect::to_lower(b.source.file) != "dockerfile" || !b.final_stage) continue;
    plan_.mode = "dockerfile";
    plan_.dockerfile = b.source.file;
    plan_.base_image = b.image;
    auto& d = decide("source", b.source.file, "the repository has a Dockerfile (FROM " + b.image + " at " + b.source.str() +
                                                 "): it is built as written, and nothing is inferred");
    d.facts.push_back(b.source);
    check_base_driver(b.image, b.source.str(), true);
    return true;
  }
  return false;
}

}  // namespace dlc::resolve
