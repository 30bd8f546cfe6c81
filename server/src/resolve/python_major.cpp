// Python 2 code: the framework's images are Python 3 (PyTorch's all, TensorFlow's -py3 tags), so a
// repository that pins Python 2 or whose code is Python 2 (print statements, xrange) gets an image of
// Python 2 where the framework has one (TensorFlow 1.x's -gpu tags), else the nvidia/cuda base of the
// release's CUDA with the OS's Python 2 and the framework from pip.
#include <algorithm>

#include "inspect/version.h"
#include "resolve/resolver.h"

namespace dlc::resolve {

using inspect::SpecifierSet;

namespace {

// Whether a specifier allows some Python 3 ("==2.7.*" does not; ">=2.7" does, and so does conda's
// patch-level "python=3.8.5", read as "==3.8.5.*", which no bare minor such as 3.8 satisfies).
bool allows_python3(const std::string& spec) {
  auto set = SpecifierSet::parse(spec);
  if (!set) return true;
  for (int minor = 0; minor <= 14; ++minor) {
    std::string v = "3." + std::to_string(minor);
    if (set->contains(v)) return true;
    for (int patch = 0; patch <= 30; ++patch) {
      if (set->contains(v + "." + std::to_string(patch))) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<Ask> Resolver::python2_asks() const {
  std::vector<Ask> out;
  if (!options_.python.empty()) {
    if (!allows_python3("==" + options_.python + ".*")) out.push_back(Ask{"==" + options_.python + ".*", "--python " + options_.python, {"--python", 0}});
    return out;
  }
  for (const auto& a : strong_hints("python")) {
    if (!allows_python3(a.spec)) out.push_back(a);
  }
  if (!out.empty()) return out;
  // Code that only Python 2 runs (catalog: removedApis of "python").
  for (const auto& c : facts_.code) {
    const RemovedApi* a = c.kind == "api" ? catalog_.removed_api(c.subject) : nullptr;
    if (!a || a->framework != "python") continue;
    out.push_back(Ask{"<" + a->below, "uses " + c.subject + (c.files > 1 ? " in " + std::to_string(c.files) + " files" : "") + ": " + a->why,
                      c.source});
    break;
  }
  return out;
}

// Why the image cannot run Python 2 code, or "" when it can (or its Python is not known).
std::string Resolver::python2_mismatch(const Framework& fw, const FrameworkImage& img, const std::vector<Ask>& asks) const {
  if (asks.empty()) return "";
  std::string python = !img.python.empty() ? "==" + img.python + ".*" : fw.image_python;
  auto set = python.empty() ? std::nullopt : SpecifierSet::parse(python);
  if (!set || set->contains("2.7")) return "";
  return "Python " + (img.python.empty() ? fw.image_python : img.python) + ", but " + where_text(asks.front()) + " needs Python 2";
}

// No image of the release has Python 2: its CUDA's nvidia/cuda base, the OS's Python 2, the release from pip.
void Resolver::use_pip_on_cuda_for_python2(const Framework& fw, const FrameworkRelease& rel, const FrameworkImage& img, const Releases& r,
                                           const std::vector<Ask>& asks) {
  std::string flavor = devel_ ? "devel" : "runtime";
  const CudaImage* base = nullptr;
  for (const auto& c : catalog_.cuda_images()) {
    if (c.flavor != flavor || c.cuda != img.cuda || c.cudnn.empty() || (c.os != "ubuntu16.04" && c.os != "ubuntu18.04")) continue;
    if (!base) base = &c;
  }
  plan_.framework = fw.name;
  plan_.framework_version = rel.version;
  auto& fd = decide("version", fw.display + " " + rel.version, r.reason);
  fd.facts = r.facts;
  fd.citations = r.citations;
  fd.citations.push_back(catalog_.cite(rel.source));
  if (!base) {
    plan_.warnings.push_back(where_text(asks.front()) + " needs Python 2, but " + fw.display + "'s images are Python 3 and the catalog has no "
                             "CUDA " + img.cuda + " base with cuDNN to install it on; " + img.image + " is used");
    plan_.base_image = img.image;
    plan_.cuda = img.cuda;
    plan_.gpu = true;
    decide("image", img.image, "no Python 2 base for CUDA " + img.cuda);
    decide_pip(img.provides, "");
    return;
  }
  auto check = check_cuda(base->cuda, host_, catalog_);
  plan_.base_image = base->image;
  plan_.gpu = true;
  plan_.cuda = base->cuda;
  plan_.cudnn = base->cudnn;
  plan_.flavor = flavor;
  plan_.minor_version_compatibility = check.compat;
  plan_.driver_required = check.compat ? check.compat_driver : check.min_driver;
  plan_.base_has_python = false;
  python2_ = true;
  plan_.python = "2.7";
  auto& d = decide("image", base->image,
                   where_text(asks.front()) + ": the code needs Python 2, and " + fw.display + " " + rel.version + "'s images (" + img.image +
                       ") are Python 3: " + base->image + " (the release's CUDA " + img.cuda + ", cuDNN " + base->cudnn + ") with the OS's "
                       "Python 2.7 and " + rel.pip + " from pip" + (devel_ ? "; -devel because " + devel_why_ : ""));
  d.citations = {catalog_.cite(base->source), catalog_.cite(rel.source)};
  d.facts.push_back(asks.front().where);
  decide("python", "2.7", "apt's python (2.7) of " + base->os + ", for the Python 2 code");
  plan_.pip_packages.push_back(rel.pip);
  if (plan_.minor_version_compatibility) plan_.env["NVIDIA_DISABLE_REQUIRE"] = "1";
  decide_pip({}, fw.packages.front());
}

}  // namespace dlc::resolve
