// No framework: an nvidia/cuda base of the CUDA asked for, or a python image; and the Python of an
// image that brings its own.
#include <algorithm>

#include "inspect/text.h"

#include "inspect/version.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Source;
using inspect::SpecifierSet;
using inspect::Version;

void Resolver::choose_cuda_image(const std::vector<Ask>& extra_cuda_asks, bool libraries) {
  std::vector<Ask> cuda_asks = strong_hints("cuda");
  bool weak_used = false;
  if (!options_.cuda.empty()) cuda_asks = {Ask{"==" + options_.cuda + ".*", "--cuda " + options_.cuda, Source{"--cuda", 0}}};
  if (cuda_asks.empty()) {
    cuda_asks = weak_hints("cuda");
    weak_used = !cuda_asks.empty();
  }
  if (cuda_asks.empty() || weak_used) {
    cuda_asks.insert(cuda_asks.end(), extra_cuda_asks.begin(), extra_cuda_asks.end());
  }
  std::vector<Ask> cudnn_asks = strong_hints("cudnn");
  bool wants_libs = !cudnn_asks.empty() || libraries;
  for (const auto* r : main_) {
    if (inspect::starts_with(r->name, "cupy")) wants_libs = true;
  }
  std::string flavor = devel_ ? "devel" : wants_libs ? "runtime" : "base";
  struct Option {
    const CudaImage* img;
    CudaCheck check;
  };
  std::vector<Option> ok;
  std::vector<std::string> rejected;
  auto collect = [&] {
    ok.clear();
    rejected.clear();
    for (const auto& img : catalog_.cuda_images()) {
      if (img.flavor != flavor) continue;
      if (!cudnn_asks.empty() || libraries ? img.cudnn.empty() : !img.cudnn.empty()) continue;
      bool fits = true;
      for (const auto& a : cuda_asks) {
        auto spec = SpecifierSet::parse(a.spec);
        if (spec && !spec->contains(img.cuda)) fits = false;
      }
      for (const auto& a : cudnn_asks) {
        auto spec = SpecifierSet::parse(a.spec);
        if (spec && !spec->contains(img.cudnn)) fits = false;
      }
      if (!fits) continue;
      auto check = check_cuda(img.cuda, host_, catalog_);
      if (!check.ok) {
        rejected.push_back(img.image + ": " + check.why);
        continue;
      }
      ok.push_back(Option{&img, check});
    }
  };
  collect();
  if (ok.empty() && weak_used) {
    // A README's CUDA that no image fits is prose, not a requirement: fall back to what the driver runs.
    plan_.warnings.push_back("the README's CUDA version (" + where_text(cuda_asks.front()) + ") has no image that fits; ignored");
    cuda_asks = extra_cuda_asks;  // what the framework's own builds need still holds
    weak_used = false;
    collect();
  }
  if (ok.empty()) {
    std::vector<std::string> parts;
    for (const auto& a : cuda_asks) parts.push_back(where_text(a) + " asks CUDA " + spec_words(a.spec));
    std::string asked = parts.empty() ? "CUDA code" : join(parts, "; ");
    if (host_.kind == HostView::Kind::Driver && !rejected.empty()) {
      std::string lowest;
      for (const auto& img : catalog_.cuda_images()) {
        bool fits = true;
        for (const auto& a : cuda_asks) {
          auto spec = SpecifierSet::parse(a.spec);
          if (spec && !spec->contains(img.cuda)) fits = false;
        }
        if (!fits) continue;
        auto check = check_cuda(img.cuda, host_, catalog_);
        std::string need = !check.compat_driver.empty() && compare_driver(check.compat_driver, check.min_driver) < 0 ? check.compat_driver : check.min_driver;
        if (!need.empty() && (lowest.empty() || compare_driver(need, lowest) < 0)) lowest = need;
      }
      throw Error(ErrorCode::DriverTooOld, asked + ", but this host's " + host_.words + " runs none of its images (" + rejected.front() + ")",
                  "update the NVIDIA driver to >= " + (lowest.empty() ? std::string("a newer release") : lowest) + ", or pass --cpu to plan a CPU image");
    }
    throw Error(ErrorCode::UnknownVersion, asked + ": the catalog has no nvidia/cuda " + flavor + " image for it",
                "pass --cuda VERSION with a CUDA the catalog knows, or add an image to a catalog file (see docs/resolve.md)");
  }
  std::stable_sort(ok.begin(), ok.end(), [&](const Option& a, const Option& b) {
    if (a.img->user != b.img->user) return a.img->user;
    if (a.check.compat != b.check.compat) return !a.check.compat;
    auto va = Version::parse(a.img->cuda), vb = Version::parse(b.img->cuda);
    return va && vb && *vb < *va;
  });
  const CudaImage& img = *ok.front().img;
  plan_.base_image = img.image;
  plan_.gpu = true;
  plan_.cuda = img.cuda;
  plan_.cudnn = img.cudnn;
  plan_.flavor = flavor;
  plan_.minor_version_compatibility = ok.front().check.compat;
  plan_.driver_required = ok.front().check.compat ? ok.front().check.compat_driver : ok.front().check.min_driver;
  plan_.base_has_python = !img.python.empty();
  std::string reason;
  std::vector<std::string> parts;
  for (const auto& a : cuda_asks) parts.push_back(where_text(a) + " asks CUDA " + spec_words(a.spec));
  std::string needed = !unlisted_.empty() ? unlisted_ + " from pip needs the CUDA libraries" : devel_why_;
  reason = parts.empty() ? std::string(unlisted_.empty() ? "no framework and " : "") + "no CUDA version is named, but CUDA is needed (" + needed +
                               "): the newest CUDA" + (host_.kind == HostView::Kind::Driver ? " this driver runs" : "")
                         : join(parts, "; ") + (weak_used ? " (a weak hint)" : "") +
                               (unlisted_.empty() ? " and no framework is named: the nvidia/cuda image itself"
                                                  : ": the nvidia/cuda image of that CUDA, with cuDNN, for " + unlisted_ + " from pip");
  reason += flavor == "devel" ? "; -devel because " + devel_why_
            : flavor == "runtime" ? "; -runtime for the CUDA libraries (cuDNN, cupy or a framework from pip need them)"
                                  : "; -base: nothing here compiles CUDA code or names CUDA libraries";
  if (host_.kind == HostView::Kind::Driver) reason += "; " + host_.words;
  auto& d = decide("image", img.image, reason);
  d.citations.push_back(catalog_.cite(img.source));
  for (const auto& a : cuda_asks) d.facts.push_back(a.where);
  for (const auto& s : devel_where_) d.facts.push_back(s);
  for (std::size_t k = 1; k < ok.size() && k < 4; ++k) d.rejected.push_back(ok[k].img->image + ": CUDA " + ok[k].img->cuda + " is older");
  for (std::size_t k = 0; k < rejected.size() && k < 3; ++k) d.rejected.push_back(rejected[k]);
  if (plan_.minor_version_compatibility) plan_.env["NVIDIA_DISABLE_REQUIRE"] = "1";
  plan_.python = ubuntu_python(img.os);
  decide("python", plan_.python.empty() ? "the OS's python3" : plan_.python,
         img.os + " has no Python in the nvidia/cuda image; apt installs the OS's python3" + (plan_.python.empty() ? "" : " (" + plan_.python + ")"));
  decide_pip({}, "");
}

void Resolver::choose_python_image(const std::string& framework_range, const std::string& why_range) {
  std::vector<Ask> asks = strong_hints("python");
  if (!options_.python.empty()) asks = {Ask{"==" + options_.python + ".*", "--python " + options_.python, Source{"--python", 0}}};
  std::vector<Ask> weak = weak_hints("python");
  auto fits = [&](const PythonImage& p, const std::vector<Ask>& list) {
    for (const auto& a : list) {
      auto spec = SpecifierSet::parse(a.spec);
      if (spec && !spec->contains(p.python)) return false;
    }
    if (!framework_range.empty()) {
      auto spec = SpecifierSet::parse(framework_range);
      if (spec && !spec->contains(p.python)) return false;
    }
    return true;
  };
  std::vector<const PythonImage*> ok;
  for (const auto& p : catalog_.python_images()) {
    if (fits(p, asks)) ok.push_back(&p);
  }
  if (ok.empty()) {
    std::vector<std::string> parts;
    for (const auto& a : asks) parts.push_back(where_text(a));
    if (!framework_range.empty()) parts.push_back(why_range);
    throw Error(ErrorCode::Conflict, "no Python satisfies all of: " + join(parts, "; "),
                "make the Python requirements agree, or choose one with --python X.Y");
  }
  std::string reason;
  if (!weak.empty() && asks.empty()) {
    std::vector<const PythonImage*> narrowed;
    for (const auto* p : ok) {
      if (fits(*p, weak)) narrowed.push_back(p);
    }
    if (!narrowed.empty()) {
      ok = narrowed;
      reason = "the README says " + where_text(weak.front());
    }
  }
  std::stable_sort(ok.begin(), ok.end(), [](const PythonImage* a, const PythonImage* b) {
    if (a->user != b->user) return a->user;
    auto va = Version::parse(a->python), vb = Version::parse(b->python);
    return va && vb && *vb < *va;
  });
  const PythonImage* chosen = ok.front();
  if (!facts_.commit_date.empty()) {
    for (const auto* p : ok) {
      if (released_by(p->released, facts_.commit_date)) {
        chosen = p;
        break;
      }
    }
  }
  std::vector<std::string> parts;
  for (const auto& a : asks) parts.push_back(where_text(a));
  if (!framework_range.empty()) parts.push_back(why_range);
  if (!reason.empty()) parts.push_back(reason);
  std::string why = parts.empty() ? "nothing pins Python" : join(parts, "; ");
  if (!facts_.commit_date.empty() && chosen->released.size() && released_by(chosen->released, facts_.commit_date) && !chosen->user) {
    why += "; HEAD is dated " + facts_.commit_date + ", so the newest Python released by then that fits";
  } else if (!chosen->user) {
    why += "; the newest that fits";
  } else {
    why += "; the user's catalog names this image";
  }
  plan_.python = chosen->python;
  plan_.base_has_python = true;
  if (plan_.base_image.empty()) plan_.base_image = chosen->image;
  auto& d = decide("python", "Python " + chosen->python + " (" + chosen->image + ")", why);
  for (const auto& a : asks) d.facts.push_back(a.where);
  d.citations.push_back(catalog_.cite(chosen->source));
  for (std::size_t k = 0; k < ok.size() && k < 3; ++k) {
    if (ok[k] != chosen) d.rejected.push_back(ok[k]->image + ": " + (k == 0 ? "released after HEAD's date" : "older"));
  }
}

void Resolver::decide_python_of_image(const std::string& image_python, const std::string& image) {
  std::vector<Ask> asks = strong_hints("python");
  if (image_python.empty()) {
    plan_.python = "";
    decide("python", "the image's own", image + " brings its Python; the catalog does not record which (`python --version` in the container says)");
    return;
  }
  plan_.python = image_python;
  auto& d = decide("python", "Python " + image_python, image + " has Python " + image_python);
  for (const auto& a : asks) {
    auto spec = SpecifierSet::parse(a.spec);
    if (spec && !spec->contains(image_python)) {
      plan_.warnings.push_back(where_text(a) + " asks Python " + a.spec + " but " + image + " has Python " + image_python +
                               "; pass --python to plan a plain Python image instead, or relax the pin");
    }
    d.facts.push_back(a.where);
  }
}

}  // namespace dlc::resolve
