// A framework release's image: the one that fits the repository's CUDA asks and the driver, the
// flavor it needs, and the ways out when none does.
#include <algorithm>
#include <map>
#include <set>

#include "inspect/version.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Source;
using inspect::SpecifierSet;
using inspect::Version;

Resolver::ReleaseImages Resolver::images_of(const Framework& fw, const FrameworkRelease& rel, const std::vector<Ask>& cuda_asks,
                                             ImageFilter filter) {
  ReleaseImages out;
  auto reject = [&](const FrameworkImage& img, const std::string& why) {
    out.rejected.push_back(img.image + ": " + why);
    if (std::find(out.why_not.begin(), out.why_not.end(), why) == out.why_not.end()) out.why_not.push_back(why);
  };
  for (const auto& img : rel.images) {
    if (img.kind != (gpu_mode_ ? "gpu" : "cpu")) continue;
    if (!gpu_mode_) {
      out.ok.push_back(ImageOption{&img, {}, {}});
      continue;
    }
    bool cuda_ok = true;
    for (const auto& a : cuda_asks) {
      auto spec = SpecifierSet::parse(a.spec);
      if (filter.cuda_asks && spec && !spec->contains(img.cuda)) {
        reject(img, "CUDA " + img.cuda + ", but " + where_text(a) + " asks CUDA " + spec_words(a.spec));
        cuda_ok = false;
        break;
      }
    }
    if (!cuda_ok) {
      out.cuda_blocked = true;
      continue;
    }
    auto check = check_cuda(img.cuda, host_, catalog_);
    if (!check.ok) {
      reject(img, check.why);
      out.driver_blocked = true;
      continue;
    }
    if (std::string why = python2_mismatch(fw, img, python2_asks()); !why.empty()) {
      reject(img, why);
      out.python_blocked = true;
      continue;
    }
    ArchFit fit = arch_fit(fw, rel, img, check);
    if (filter.arch && fit.run == ArchRun::No) {
      reject(img, fit.why);
      out.arch_blocked = true;
      continue;
    }
    out.ok.push_back(ImageOption{&img, check, fit});
  }
  return out;
}

void Resolver::choose_framework_image(const Framework& fw) {
  Releases r = candidate_releases(fw);
  // CUDA, cuDNN and Python asks that filter images.
  std::vector<Ask> cuda_asks = strong_hints("cuda"), cudnn_asks = strong_hints("cudnn");
  if (!options_.cuda.empty()) cuda_asks = {Ask{"==" + options_.cuda + ".*", "--cuda " + options_.cuda, Source{"--cuda", 0}}};
  // First every candidate as asked; then, when the repository's CUDA build (a local version, an index
  // URL) is what stops it, the same releases' other CUDA builds; last, builds the GPU cannot run (said so).
  std::vector<ImageFilter> passes = {ImageFilter{true, true}};
  if (options_.cuda.empty() && !cuda_asks.empty()) passes.push_back(ImageFilter{false, true});
  if (!host_.gpus.empty()) passes.push_back(ImageFilter{options_.cuda.empty() && !cuda_asks.empty() ? false : true, false});
  std::vector<std::string> rejected_releases;
  bool driver_blocked = false, cuda_blocked = false, arch_blocked = false;
  for (std::size_t p = 0; p < passes.size(); ++p) {
    const ImageFilter& filter = passes[p];
    if (p > 0 && filter.arch && !cuda_blocked) continue;  // relaxing the CUDA build changes nothing
    if (p > 0 && !filter.arch && !arch_blocked) continue;
    for (const FrameworkRelease* rel : r.ordered) {
      ReleaseImages imgs = images_of(fw, *rel, cuda_asks, filter);
      driver_blocked = driver_blocked || imgs.driver_blocked;
      cuda_blocked = cuda_blocked || imgs.cuda_blocked;
      arch_blocked = arch_blocked || imgs.arch_blocked;
      if (imgs.ok.empty() && !gpu_mode_ && !rel->pip.empty()) {
        use_pip_on_python(fw, *rel, r);
        return;
      }
      if (imgs.ok.empty()) {
        if (p == 0) {
          rejected_releases.push_back(fw.display + " " + rel->version + ": " +
                                      (imgs.why_not.empty() ? std::string("no ") + (gpu_mode_ ? "GPU" : "CPU") + " image in the catalog"
                                                            : join(imgs.why_not, "; ")));
        }
        continue;
      }
      if (!filter.cuda_asks && !cuda_asks.empty() && imgs.ok.front().img->cuda != spec_words(cuda_asks.front().spec)) {
        // Whether the release has a build of that CUDA at all (torch 1.7.0 has none for 10.2), or only none the host runs.
        bool has_build = std::any_of(rel->images.begin(), rel->images.end(), [&](const FrameworkImage& i) {
          return std::all_of(cuda_asks.begin(), cuda_asks.end(), [&](const Ask& a) {
            auto spec = inspect::SpecifierSet::parse(a.spec);
            return spec && spec->contains(i.cuda);
          });
        });
        say_cuda_relaxed(cuda_asks, spec_words(cuda_asks.front().spec), imgs.ok.front().img->cuda, has_build ? "" : fw.display + " " + rel->version);
      }
      commit_framework_image(fw, *rel, r, imgs.ok, imgs.rejected, rejected_releases, filter.cuda_asks ? cuda_asks : std::vector<Ask>{},
                             cudnn_asks);
      return;
    }
  }
  // Python 2 code and only Python 3 images: the first release with an image this host runs, from pip.
  if (auto py2 = python2_asks(); gpu_mode_ && !py2.empty()) {
    for (const FrameworkRelease* rel : r.ordered) {
      if (rel->pip.empty()) continue;
      for (const auto& img : rel->images) {
        if (img.kind == "gpu" && check_cuda(img.cuda, host_, catalog_).ok) {
          use_pip_on_cuda_for_python2(fw, *rel, img, r, py2);
          return;
        }
      }
    }
  }
  no_framework_image(fw, r, rejected_releases, driver_blocked);
}

// The repository asked for a CUDA build that no image of the release has, or that this driver cannot
// run: the same release built for another CUDA runs the same code. Its pip lines follow the new build.
void Resolver::say_cuda_relaxed(const std::vector<Ask>& cuda_asks, const std::string& from_cuda, const std::string& to_cuda,
                                const std::string& release_without_build) {
  std::vector<std::string> parts;
  for (const auto& a : cuda_asks) parts.push_back(where_text(a) + " asks CUDA " + spec_words(a.spec));
  auto tag = [](const std::string& cuda) {
    std::string t = "cu";
    for (char c : cuda) {
      if (c != '.') t += c;
    }
    return t;
  };
  std::string why = !release_without_build.empty()             ? "the catalog has no " + release_without_build + " image of that CUDA"
                    : host_.kind == HostView::Kind::Driver ? "no image of that build runs on " + host_.words.substr(0, host_.words.find(';'))
                                                           : "no image of that build is in the catalog";
  std::string note = join(parts, "; ") + ", but " + why + ": the same release's CUDA " + to_cuda + " build is used instead";
  auto from = Version::parse(from_cuda);
  auto to = Version::parse(to_cuda);
  if (from && to) {
    relaxed_from_tag_ = tag(from->major_minor());
    relaxed_to_tag_ = tag(to->major_minor());
    note += " (pip requirements and index URLs naming " + relaxed_from_tag_ + " are rewritten to " + relaxed_to_tag_ + ")";
  }
  plan_.warnings.push_back(note);
  decide("cuda", "CUDA " + to_cuda + " instead of " + from_cuda, note);
}

// No CPU image: a plain Python image and the framework from pip.
void Resolver::use_pip_on_python(const Framework& fw, const FrameworkRelease& rel, const Releases& r) {
  plan_.framework = fw.name;
  plan_.framework_version = rel.version;
  auto& d = decide("version", fw.display + " " + rel.version, r.reason);
  for (const auto& a : r.asks) d.facts.push_back(a.where);
  plan_.flavor = "cpu";
  choose_python_image(rel.python, fw.display + " " + rel.version + " supports Python " + rel.python);
  plan_.pip_packages.push_back(rel.pip);
  auto& p = decide("image", plan_.base_image, fw.display + " publishes no CPU-only image: " + rel.pip + " is installed with pip on " +
                                                plan_.base_image + " (on a CPU the CUDA libraries of the wheel stay unused)");
  p.citations.push_back(catalog_.cite(rel.source));
  decide_pip({}, fw.packages.front());
}

void Resolver::commit_framework_image(const Framework& fw, const FrameworkRelease& rel, const Releases& r, std::vector<ImageOption>& ok,
                                      const std::vector<std::string>& rejected, const std::vector<std::string>& rejected_releases,
                                      const std::vector<Ask>& cuda_asks, const std::vector<Ask>& cudnn_asks) {
  // Prefer: natively supported over minor-version compatibility, the newest CUDA, the flavor needed,
  // rows from the user's catalog, a cuDNN the repository asks for.
  auto cudnn_ok = [&](const FrameworkImage* img) {
    for (const auto& a : cudnn_asks) {
      auto spec = SpecifierSet::parse(a.spec);
      if (spec && !spec->contains(img->cudnn)) return false;
    }
    return true;
  };
  std::string want = devel_ ? "devel" : "runtime";
  // Code for the GPU first, then builds not checked, then PTX only, then none (taken only when nothing else is).
  auto arch_rank = [](const ArchFit& f) { return f.run == ArchRun::Native ? 0 : f.run == ArchRun::Unknown ? 1 : f.run == ArchRun::Ptx ? 2 : 3; };
  std::stable_sort(ok.begin(), ok.end(), [&](const ImageOption& a, const ImageOption& b) {
    if (a.img->user != b.img->user) return a.img->user;
    if (arch_rank(a.fit) != arch_rank(b.fit)) return arch_rank(a.fit) < arch_rank(b.fit);
    if (a.check.compat != b.check.compat) return !a.check.compat;
    if (cudnn_ok(a.img) != cudnn_ok(b.img)) return cudnn_ok(a.img);
    auto va = Version::parse(a.img->cuda.empty() ? "0" : a.img->cuda), vb = Version::parse(b.img->cuda.empty() ? "0" : b.img->cuda);
    if (va && vb && !(*va == *vb)) return *vb < *va;
    return (a.img->flavor == want) > (b.img->flavor == want);
  });
  const ImageOption& best = ok.front();
  const FrameworkImage& img = *best.img;
  plan_.framework = fw.name;
  plan_.framework_version = rel.version;
  auto& fd = decide("version", fw.display + " " + rel.version, r.reason);
  fd.facts = r.facts;
  fd.rejected = rejected_releases;
  fd.citations = r.citations;
  fd.citations.push_back(catalog_.cite(rel.source));

  plan_.base_image = img.image;
  plan_.gpu = img.kind == "gpu";
  plan_.cuda = img.cuda;
  plan_.cudnn = img.cudnn;
  plan_.flavor = img.kind == "gpu" ? img.flavor : "cpu";
  std::string because;
  if (plan_.gpu) {
    plan_.minor_version_compatibility = best.check.compat;
    plan_.driver_required = best.check.compat ? best.check.compat_driver : best.check.min_driver;
    std::set<std::string> cudas;
    for (const auto& i : rel.images) {
      if (i.kind == "gpu") cudas.insert(i.cuda);
    }
    because = fw.display + " " + rel.version + " has images for CUDA " + join(std::vector<std::string>(cudas.begin(), cudas.end()), ", ");
    if (host_.kind == HostView::Kind::Driver) {
      because += "; " + host_.words;
      if (best.check.compat) because += " and runs CUDA " + img.cuda + " through minor-version compatibility (driver >= " + best.check.compat_driver + ")";
    } else {
      because += "; the driver is unknown, so the newest CUDA is taken (it needs driver >= " + best.check.min_driver + ")";
    }
    for (const auto& a : cuda_asks) because += "; " + where_text(a) + " asks CUDA " + spec_words(a.spec);
    if (img.flavor == "devel") because += devel_ ? "; -devel because " + devel_why_ : "; only a -devel image fits";
    else if (devel_) because += "; no -devel image fits, so nvcc is missing although " + devel_why_;
    else because += "; -runtime because nothing compiles CUDA code";
  } else {
    because = gpu_mode_ ? "" : "the CPU image of " + fw.display + " " + rel.version;
  }
  auto& d = decide("image", img.image, because);
  d.citations.push_back(catalog_.cite(img.source));
  for (const auto& s : devel_where_) d.facts.push_back(s);
  for (const auto& a : cuda_asks) d.facts.push_back(a.where);
  for (std::size_t k = 1; k < ok.size(); ++k) {
    const auto* other = ok[k].img;
    std::string why;
    if (other->flavor != img.flavor && other->cuda == img.cuda)
      why = other->flavor == "devel" ? "nvcc is not needed (the -runtime image is smaller)" : "nvcc is needed: " + devel_why_;
    else if (ok[k].check.compat && !best.check.compat)
      why = "CUDA " + other->cuda + " would run only through minor-version compatibility";
    else if (other->cuda != img.cuda)
      why = "CUDA " + other->cuda + " is older than " + img.cuda;
    else
      why = "an equal alternative";
    d.rejected.push_back(other->image + ": " + why);
  }
  for (const auto& x : rejected) d.rejected.push_back(x);

  decide_arch(fw, img, best.fit);
  if (devel_ && img.flavor != "devel" && plan_.gpu && !rel.pip.empty() && use_cuda_devel_base(fw, rel, img, d)) return;
  if (plan_.minor_version_compatibility) {
    plan_.env["NVIDIA_DISABLE_REQUIRE"] = "1";
    decide("env", "NVIDIA_DISABLE_REQUIRE=1",
           "the image's NVIDIA_REQUIRE_CUDA check refuses a driver older than its toolkit's even where CUDA minor-version "
           "compatibility runs it; the check is turned off for this image")
        .citations.push_back(catalog_.cite(catalog_.minor_compat(static_cast<int>(Version::parse(img.cuda)->major()))->source));
  }
  decide_python_of_image(img.python, img.image);
  decide_pip(img.provides, "");
}

// A framework whose images have no nvcc (TensorFlow's, PaddlePaddle's) and CUDA code to compile: a
// CUDA -devel base and the framework from pip. False (and a warning) when the catalog has no such base.
bool Resolver::use_cuda_devel_base(const Framework& fw, const FrameworkRelease& rel, const FrameworkImage& img, Decision& d) {
  for (const auto& c : catalog_.cuda_images()) {
    if (c.flavor != "devel" || c.cuda != img.cuda || (!img.cudnn.empty() && c.cudnn.empty())) continue;
    d.rejected.push_back(img.image + ": has no nvcc, and " + devel_why_);
    d.choice = c.image;
    d.reason = "CUDA code must be compiled (" + devel_why_ + ") and " + fw.display + " publishes no -devel image: " + c.image +
               " with " + rel.pip + " from pip";
    d.citations = {catalog_.cite(c.source), catalog_.cite(rel.source)};
    plan_.base_image = c.image;
    plan_.flavor = "devel";
    plan_.cudnn = c.cudnn;
    plan_.base_has_python = false;
    plan_.pip_packages.push_back(rel.pip);
    plan_.python = ubuntu_python(c.os);
    decide("python", plan_.python.empty() ? "the OS's python3" : plan_.python, "apt's python3 of " + c.os);
    decide_pip({}, fw.packages.front());
    if (plan_.minor_version_compatibility) plan_.env["NVIDIA_DISABLE_REQUIRE"] = "1";
    return true;
  }
  plan_.warnings.push_back("CUDA code must be compiled (" + devel_why_ + ") but " + img.image + " has no nvcc and the catalog has no CUDA " +
                           img.cuda + " -devel image to use instead");
  return false;
}

// Nothing fits: the driver (with the lowest one that would run a candidate, and a release this one
// runs), or the catalog.
void Resolver::no_framework_image(const Framework& fw, const Releases& r, const std::vector<std::string>& rejected_releases,
                                  bool driver_blocked) {
  std::string asked = r.asks.empty() ? fw.display : join([&] {
    std::vector<std::string> p;
    for (const auto& a : r.asks) p.push_back(where_text(a));
    return p;
  }(), "; ");
  if (gpu_mode_ && host_.kind == HostView::Kind::Driver && driver_blocked) {
    // The lowest driver that would run some candidate: the way out.
    std::string lowest;
    for (const FrameworkRelease* rel : r.ordered) {
      for (const auto& img : rel->images) {
        if (img.kind != "gpu") continue;
        auto check = check_cuda(img.cuda, host_, catalog_);
        std::string need = !check.compat_driver.empty() && compare_driver(check.compat_driver, check.min_driver) < 0 ? check.compat_driver
                                                                                                                    : check.min_driver;
        // A driver this host already has is no way out (the image was turned down for another reason).
        if (need.empty() || compare_driver(need, host_.driver) <= 0) continue;
        if (lowest.empty() || compare_driver(need, lowest) < 0) lowest = need;
      }
    }
    // Releases outside the ask that this driver could run: another way out.
    std::string runnable;
    for (auto it = fw.releases.rbegin(); it != fw.releases.rend() && runnable.empty(); ++it) {
      for (const auto& img : it->images) {
        if (img.kind == "gpu" && check_cuda(img.cuda, host_, catalog_).ok) {
          runnable = it->version + " (" + img.image + ")";
          break;
        }
      }
    }
    std::string tried = rejected_releases.size() > 3
                            ? join(std::vector<std::string>(rejected_releases.begin(), rejected_releases.begin() + 3), "; ") + "; and " +
                                  std::to_string(rejected_releases.size() - 3) + " older releases"
                            : join(rejected_releases, "; ");
    throw Error(ErrorCode::DriverTooOld, asked + ": no image fits this host (" + tried + ")",
                (lowest.empty() ? std::string("relax the pins") : "update the NVIDIA driver to >= " + lowest) +
                    (runnable.empty() ? "" : ", or pin " + fw.packages.front() + "==" + runnable.substr(0, runnable.find(' ')) +
                                                 " which this driver runs (" + runnable.substr(runnable.find('(') + 1)) +
                    ", or pass --cpu to plan a CPU image");
  }
  throw Error(ErrorCode::UnknownVersion, asked + ": the catalog has no " + std::string(gpu_mode_ ? "GPU" : "CPU") + " image that fits (" +
                                             join(rejected_releases, "; ") + ")",
              "relax the CUDA pin, pass --cuda VERSION or --framework, or add an image to a catalog file (see docs/resolve.md)");
}

}  // namespace dlc::resolve
