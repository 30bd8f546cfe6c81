// The repository's own choices win: its devcontainer.json, else a root Dockerfile; their base is
// still checked against the driver when the catalog knows its CUDA.
#include "resolve/resolver.h"

namespace dlc::resolve {

using inspect::Source;

void Resolver::check_base_driver(const std::string& image, const std::string& what) {
  // Is the base one of the catalog's? Then its CUDA is known and can be checked against the driver.
  std::string cuda;
  for (const auto& fw : catalog_.frameworks()) {
    for (const auto& rel : fw.releases) {
      for (const auto& img : rel.images) {
        if (img.image == image && !img.cuda.empty()) {
          cuda = img.cuda;
          plan_.framework = fw.name;
          plan_.framework_version = rel.version;
          plan_.cudnn = img.cudnn;
        }
      }
    }
  }
  for (const auto& img : catalog_.cuda_images()) {
    if (img.image == image) cuda = img.cuda;
  }
  if (cuda.empty()) return;
  plan_.cuda = cuda;
  plan_.gpu = true;
  auto check = check_cuda(cuda, host_, catalog_);
  plan_.driver_required = check.compat ? check.compat_driver : check.min_driver;
  plan_.minor_version_compatibility = check.compat;
  if (!check.ok) plan_.warnings.push_back(what + " uses " + image + ": " + check.why);
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
    check_base_driver(dc.image, dc.file);
  }
  return true;
}

bool Resolver::from_dockerfile() {
  for (const auto& b : facts_.dockerfiles) {
    if (b.source.file != "Dockerfile" || !b.final_stage) continue;
    plan_.mode = "dockerfile";
    plan_.dockerfile = b.source.file;
    plan_.base_image = b.image;
    auto& d = decide("source", "Dockerfile", "the repository has a Dockerfile (FROM " + b.image + " at " + b.source.str() +
                                                 "): it is built as written, and nothing is inferred");
    d.facts.push_back(b.source);
    check_base_driver(b.image, b.source.str());
    return true;
  }
  return false;
}

}  // namespace dlc::resolve
