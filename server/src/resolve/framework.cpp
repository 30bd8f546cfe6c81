// Which framework the repository uses, and which of its releases it allows.
#include <algorithm>
#include <cctype>

#include "inspect/version.h"
#include "inspect/text.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Requirement;
using inspect::Source;
using inspect::SpecifierSet;

const Framework* framework_of_image(const Catalog& catalog, const std::string& image, std::string* version, std::string* cuda) {
  version->clear();
  if (cuda) cuda->clear();
  for (const auto& fw : catalog.frameworks()) {
    for (const auto& rel : fw.releases) {
      for (const auto& img : rel.images) {
        if (img.image != image) continue;
        *version = "==" + rel.version;
        if (cuda) *cuda = img.cuda;
        return &fw;
      }
    }
  }
  // Tags the catalog lacks still name their framework (and often its version): pytorch/pytorch:1.4-cuda10.1-cudnn7-devel,
  // tensorflow/tensorflow:1.15.2-gpu-py3, nvcr.io/nvidia/pytorch:21.03-py3 (NGC's own numbering: no version).
  struct Repo {
    std::string_view prefix;
    std::string_view framework;
  };
  for (auto [prefix, name] : {Repo{"pytorch/pytorch:", "pytorch"}, Repo{"tensorflow/tensorflow:", "tensorflow"},
                              Repo{"paddlepaddle/paddle:", "paddlepaddle"}, Repo{"nvcr.io/nvidia/pytorch:", "pytorch"},
                              Repo{"nvcr.io/nvidia/tensorflow:", "tensorflow"}}) {
    if (!inspect::starts_with(image, prefix)) continue;
    const Framework* fw = catalog.framework(name);
    std::string tag = image.substr(prefix.size());
    if (inspect::starts_with(prefix, "nvcr.io")) {
      if (tag.find("-tf1") != std::string::npos) *version = "<2";
      else if (tag.find("-tf2") != std::string::npos) *version = ">=2";
      return fw;
    }
    std::string v = tag.substr(0, tag.find_first_of("-_"));
    if (auto parsed = inspect::Version::parse(v); parsed && std::isdigit(static_cast<unsigned char>(v[0]))) {
      *version = std::count(v.begin(), v.end(), '.') >= 2 ? "==" + v : "==" + v + ".*";
    }
    if (cuda) {
      if (auto at = tag.find("-cuda"); at != std::string::npos) {
        std::string c = tag.substr(at + 5, tag.find('-', at + 5) - at - 5);
        if (c.find('.') == std::string::npos) c += ".0";  // "cuda9"
        if (inspect::Version::parse(c)) *cuda = c;
      }
    }
    return fw;
  }
  return nullptr;
}

// Frameworks the catalog has no images for, by the packages and modules that name them: MXNet
// (mxnet, mxnet-cu101, ...) and JAX (jax, jaxlib, and flax, which runs on it).
std::string unlisted_framework(std::string_view package_or_module) {
  if (inspect::starts_with(package_or_module, "mxnet")) return "MXNet";
  if (package_or_module == "jax" || package_or_module == "jaxlib" || package_or_module == "flax") return "JAX";
  return "";
}

// --framework names the framework: one the catalog has images of, else an error that says which it knows.
const Framework* Resolver::framework_from_option() {
  auto req = inspect::parse_requirement(options_.framework, Source{"--framework", 0});
  const Framework* fw = req ? catalog_.framework_of_package(req->name) : nullptr;
  if (!fw && req) fw = catalog_.framework(req->name);
  bool images = fw && std::any_of(fw->releases.begin(), fw->releases.end(), [](const FrameworkRelease& r) { return !r.images.empty(); });
  if (!images) {
    std::vector<std::string> known;
    for (const auto& f : catalog_.frameworks()) {
      bool has = std::any_of(f.releases.begin(), f.releases.end(), [](const FrameworkRelease& r) { return !r.images.empty(); });
      if (has && !f.packages.empty()) known.push_back(f.packages.front());
    }
    if (fw) {
      throw Error(ErrorCode::UnknownVersion, "--framework " + options_.framework + ": the catalog has no " + fw->display + " images to choose from",
                  "leave --framework out: " + fw->display + " is then installed with pip from the repository's requirements on a CUDA base");
    }
    throw Error(ErrorCode::UnknownVersion, "--framework " + options_.framework + " names no framework the catalog knows",
                "give one of " + join(known, ", ") + ", with or without ==VERSION");
  }
  decide("framework", fw->display, "--framework " + options_.framework + " was given; the repository's own pins are not used");
  return fw;
}

const Framework* Resolver::choose_framework() {
  if (!options_.framework.empty()) return framework_from_option();
  struct Candidate {
    const Framework* fw;  // nullptr: a framework the catalog has no images for (`other`)
    std::string other;
    int tier;             // see kTier
    bool pinned;
    int files;            // code imports: the files that import it
    Source where;
    std::string what;     // the evidence in words
  };
  static const char* kTier[] = {"its requirements", "an optional group", "its Dockerfile", "its code",
                                "a Dockerfile of one of its folders", "its README's install commands", "its README"};
  // A Dockerfile at the root or under a folder named for Docker (docker/, tools/docker/, .docker/,
  // containers/) is the repository's recipe. One inside another folder (a project of a monorepo, a
  // port, a tool's demo) speaks for that folder: it names the framework only where the code does not.
  auto dockerfile_tier = [](const std::string& file) {
    auto slash = file.find_last_of('/');
    if (slash == std::string::npos) return 2;
    std::string dir = inspect::to_lower(file.substr(0, slash));
    return dir.find("docker") != std::string::npos || dir.find("container") != std::string::npos ? 2 : 4;
  };
  std::vector<Candidate> found;
  auto add_requirement = [&](const Requirement* r, int tier) {
    // A framework without images is one even where the catalog has its releases (JAX's rows).
    const Framework* fw = unlisted_framework(r->name).empty() ? catalog_.framework_of_package(r->name) : nullptr;
    std::string via;
    if (!fw) {
      if (const Companion* c = catalog_.companion(r->name)) {
        fw = catalog_.framework(c->framework);
        via = ", which goes with " + (fw ? fw->display : c->framework);
      }
    }
    if (std::string other = fw ? "" : unlisted_framework(r->name); !other.empty()) {
      found.push_back(Candidate{nullptr, other, tier, !r->specifier.empty(), 0, r->source, r->source.str() + " (" + r->raw + ")"});
      return;
    }
    if (!fw) return;
    auto spec = SpecifierSet::parse(strip_build_tags(r->specifier, true));
    bool pinned = spec && spec->exact().has_value() && via.empty();
    found.push_back(Candidate{fw, "", tier, pinned, 0, r->source, r->source.str() + " (" + r->raw + via + ")"});
  };
  for (const auto* r : main_) add_requirement(r, 0);
  for (const auto* r : other_) add_requirement(r, 1);
  for (const auto* r : docker_) add_requirement(r, dockerfile_tier(r->source.file));
  for (const auto& b : facts_.dockerfiles) {
    std::string version;
    if (const Framework* fw = framework_of_image(catalog_, b.image, &version)) {
      found.push_back(Candidate{fw, "", dockerfile_tier(b.source.file), !version.empty(), 0, b.source, b.source.str() + " (FROM " + b.image + ")"});
    }
  }
  for (const auto& c : facts_.code) {
    if (c.kind != "import") continue;
    std::string what = c.source.str() + " imports " + c.subject + (c.files > 1 ? " (and " + std::to_string(c.files - 1) + " more files)" : "");
    if (const Framework* fw = catalog_.framework_of_module(c.subject)) found.push_back(Candidate{fw, "", 3, false, c.files, c.source, what});
    else if (std::string other = unlisted_framework(c.subject); !other.empty()) found.push_back(Candidate{nullptr, other, 3, false, c.files, c.source, what});
  }
  for (const auto* r : weak_) add_requirement(r, 5);
  for (const auto& h : facts_.hints) {
    if (!h.weak) continue;
    if (const Framework* fw = catalog_.framework_of_package(h.subject)) found.push_back(Candidate{fw, "", 6, false, 0, h.source, h.source.str()});
  }
  if (found.empty()) return nullptr;
  // How many files import each framework breaks ties between frameworks named alike (a requirements
  // file listing both torch and tensorflow, for TensorBoard, say).
  auto imports = [&](const Candidate& c) {
    int n = 0;
    for (const auto& f : found) {
      if (f.tier == 3 && f.fw == c.fw && f.other == c.other) n = std::max(n, f.files);
    }
    return n;
  };
  auto order = [&](const Framework* fw) {
    for (std::size_t k = 0; k < catalog_.frameworks().size(); ++k) {
      if (&catalog_.frameworks()[k] == fw) return k;
    }
    return catalog_.frameworks().size();
  };
  std::stable_sort(found.begin(), found.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.pinned != b.pinned) return a.pinned;
    if (imports(a) != imports(b)) return imports(a) > imports(b);
    return order(a.fw) < order(b.fw);
  });
  // A pin outranks an unpinned requirement of the same tier, unless the code is plainly in the other
  // framework: one imported by at least twice as many files (torch in 24 files, tensorflow==2.4.0
  // pinned for its data pipeline and metrics in 6) is the framework of the work.
  const Candidate* pick = &found.front();
  for (const auto& c : found) {
    if (c.tier == pick->tier && imports(c) >= 2 * std::max(1, imports(*pick)) && (c.fw != pick->fw || c.other != pick->other)) pick = &c;
  }
  const Candidate& top = *pick;
  std::string name = top.fw ? top.fw->display : top.other;
  std::vector<std::string> others;
  for (const auto& c : found) {
    std::string n = c.fw ? c.fw->display : c.other;
    if (n != name && std::find(others.begin(), others.end(), n) == others.end()) others.push_back(n);
  }
  std::string reason = "the repository names " + name + " in " + kTier[top.tier] + ": " + top.what;
  if (!top.fw) {
    // Not in the catalog: the caller plans a CUDA base with the framework from pip.
    unlisted_ = top.other;
    unlisted_why_ = reason;
    unlisted_where_ = {top.where};
    return nullptr;
  }
  auto& d = decide("framework", name, reason);
  d.facts.push_back(top.where);
  for (const auto& o : others) d.rejected.push_back(o + ": also named; it is installed with pip in the " + name + " image");
  return top.fw;
}

}  // namespace dlc::resolve
