// RepoFacts + HostFacts + options -> Plan, with each decision explained.
#include <algorithm>
#include <set>

#include "inspect/markers.h"
#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"
#include "resolve/plan.h"
#include "support/error.h"

namespace dlc::resolve {

namespace {

using inspect::Requirement;
using inspect::Source;
using inspect::SpecifierSet;
using inspect::Version;
using inspect::VersionHint;

// ---------------------------------------------------------------------------------------------
// The host.

struct HostView {
  enum class Kind { Unknown, NoGpu, Driver } kind = Kind::Unknown;
  std::string driver;
  std::string max_cuda;  // natively
  std::string words;
};

HostView view_host(const gpu::HostFacts& h, const Catalog& c) {
  HostView v;
  if (h.driver_present && !h.driver_version.empty()) {
    v.kind = HostView::Kind::Driver;
    v.driver = h.driver_version;
    v.max_cuda = c.max_cuda(h.driver_version);
    std::string how = h.source == "given" ? "given with --driver" : "read with " + (h.source.empty() ? std::string("?") : h.source);
    v.words = "NVIDIA driver " + v.driver + " (" + how + ")" +
              (v.max_cuda.empty() ? ", older than every CUDA toolkit in the catalog" : ", which runs CUDA " + v.max_cuda + " and older");
    if (!h.gpus.empty()) v.words += "; " + std::to_string(h.gpus.size()) + " GPU" + (h.gpus.size() > 1 ? "s" : "") + " (" + h.gpus[0].name + ")";
  } else if (!h.source.empty()) {
    v.kind = HostView::Kind::NoGpu;
    v.words = "no usable NVIDIA GPU" + (h.why_none.empty() ? std::string() : ": " + h.why_none);
  } else {
    v.words = "GPU and driver unknown: images are not checked against a driver (pass --driver VERSION, or --no-gpu)";
  }
  return v;
}

struct CudaCheck {
  bool ok = false;
  bool compat = false;      // only through minor-version compatibility
  std::string min_driver;   // native minimum ("" when the catalog has none)
  std::string compat_driver;
  std::string why;          // when !ok
};

CudaCheck check_cuda(const std::string& cuda, const HostView& host, const Catalog& c) {
  CudaCheck r;
  r.min_driver = c.min_driver(cuda).value_or("");
  auto v = Version::parse(cuda);
  const MinorCompat* mc = v ? c.minor_compat(static_cast<int>(v->major())) : nullptr;
  if (mc) r.compat_driver = mc->min_driver;
  if (host.kind != HostView::Kind::Driver) {
    r.ok = true;
    return r;
  }
  if (r.min_driver.empty()) {
    r.why = "the catalog has no driver minimum for CUDA " + cuda;
    return r;
  }
  if (compare_driver(host.driver, r.min_driver) >= 0) {
    r.ok = true;
    return r;
  }
  if (mc && compare_driver(host.driver, mc->min_driver) >= 0) {
    r.ok = true;
    r.compat = true;
    return r;
  }
  r.why = "CUDA " + cuda + " needs driver >= " + r.min_driver +
          (mc ? " (>= " + mc->min_driver + " with CUDA " + std::to_string(mc->cuda_major) + ".x minor-version compatibility)" : "") +
          "; driver " + host.driver + " runs CUDA " + (host.max_cuda.empty() ? "none of the catalog's" : host.max_cuda + " and older");
  return r;
}

// ---------------------------------------------------------------------------------------------
// Facts, filtered.

// A specifier without local labels (and, for PaddlePaddle, without the .postNNN that names its CUDA
// build), so that it can be matched against the catalog's plain release versions.
std::string strip_build_tags(const std::string& spec, bool strip_post) {
  std::string out;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == '+') {
      while (i + 1 < spec.size() && spec[i + 1] != ',') ++i;
      continue;
    }
    if (strip_post && spec.compare(i, 5, ".post") == 0) {
      i += 4;
      while (i + 1 < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i + 1]))) ++i;
      continue;
    }
    out += spec[i];
  }
  return out;
}

struct Ask {
  std::string spec;  // PEP 440
  std::string text;  // what the repository says
  Source where;
};

std::string where_text(const Ask& a) { return a.where.str() + " (" + a.text + ")"; }

// "==11.3.*" reads as "11.3"; other specifiers as written.
std::string spec_words(const std::string& spec) {
  if (spec.size() > 4 && spec.compare(0, 2, "==") == 0 && spec.compare(spec.size() - 2, 2, ".*") == 0) return spec.substr(2, spec.size() - 4);
  return spec;
}

bool released_by(const std::string& released, const std::string& date) {
  // "2019-06" compares with "2019-06-15" by its month.
  if (released.empty() || date.empty()) return true;
  return released.substr(0, std::min(released.size(), date.size())) <= date.substr(0, std::min(released.size(), date.size()));
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Ubuntu's own python3 (for nvidia/cuda images, which have none until apt installs it).
std::string ubuntu_python(const std::string& os) {
  if (os == "ubuntu18.04") return "3.6";
  if (os == "ubuntu20.04") return "3.8";
  if (os == "ubuntu22.04") return "3.10";
  if (os == "ubuntu24.04") return "3.12";
  return "";
}

// Conda packages that have no pip counterpart to install (the toolchain and C libraries conda ships).
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

class Resolver {
 public:
  Resolver(const inspect::RepoFacts& f, const gpu::HostFacts& h, const Catalog& c, const ResolveOptions& o)
      : facts_(f), catalog_(c), options_(o), host_(view_host(h, c)) {}

  Plan run();

 private:
  // ---- the steps
  void decide_host();
  bool from_devcontainer();
  bool from_dockerfile();
  void collect_requirements();
  const Framework* choose_framework();
  void choose_framework_image(const Framework& fw);
  void choose_cuda_image();
  void choose_python_image(const std::string& framework_range, const std::string& why_range);
  void decide_python_of_image(const std::string& image_python, const std::string& image);
  void decide_apt();
  void decide_pip(const std::vector<std::string>& provided, const std::string& replaced_by);
  void check_base_driver(const std::string& image, const std::string& what);

  // ---- helpers
  std::vector<Ask> strong_hints(const std::string& subject) const;
  std::vector<Ask> weak_hints(const std::string& subject) const;
  bool needs_devel(std::string* why, std::vector<Source>* where) const;
  bool applies(const Requirement& r) const {
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
  std::vector<const Requirement*> main_;      // main group, applies, not weak
  std::vector<const Requirement*> other_;     // optional groups, not weak
  std::vector<const Requirement*> weak_;      // README
  std::string devel_why_;
  std::vector<Source> devel_where_;
  bool devel_ = false;
};

std::vector<Ask> Resolver::strong_hints(const std::string& subject) const {
  std::vector<Ask> out;
  for (const auto& h : facts_.hints) {
    if (h.subject == subject && !h.weak) out.push_back(Ask{h.spec, h.text, h.source});
  }
  return out;
}

std::vector<Ask> Resolver::weak_hints(const std::string& subject) const {
  std::vector<Ask> out;
  for (const auto& h : facts_.hints) {
    if (h.subject == subject && h.weak) out.push_back(Ask{h.spec, h.text, h.source});
  }
  return out;
}

bool Resolver::needs_devel(std::string* why, std::vector<Source>* where) const {
  if (options_.devel) {
    *why = "--devel was given";
    return true;
  }
  for (const auto& c : facts_.cuda_code) {
    if (c.kind == "cpp-extension") continue;  // C++ only: a compiler, not nvcc
    static const std::map<std::string, std::string> kWhat = {{"cuda-extension", "builds a CUDAExtension"},
                                                             {"build-extension", "builds extensions with BuildExtension"},
                                                             {"cu-source", "has CUDA sources"},
                                                             {"jit-load", "compiles CUDA at run time (torch.utils.cpp_extension.load)"}};
    *why = c.source.str() + " " + kWhat.at(c.kind);
    where->push_back(c.source);
    return true;
  }
  for (const auto* r : main_) {
    for (const auto& b : catalog_.build_needs()) {
      if (r->name == b.package) {
        *why = r->source.str() + " requires " + r->name + ", which " + b.why;
        where->push_back(r->source);
        return true;
      }
    }
  }
  return false;
}

void Resolver::decide_host() {
  plan_.host = host_.words;
  if (options_.cpu) {
    gpu_mode_ = false;
    decide("gpu", "CPU", "--cpu (or --no-gpu) was given: the plan uses no GPU");
  } else if (host_.kind == HostView::Kind::NoGpu) {
    gpu_mode_ = false;
    decide("gpu", "CPU", "this host has " + host_.words + ", so the plan is a CPU image; pass --driver VERSION to plan for a GPU host");
  } else {
    gpu_mode_ = true;
    decide("gpu", "GPU", host_.words);
  }
}

// ---------------------------------------------------------------------------------------------
// devcontainer.json and Dockerfile: the repository's own choices win.

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

// ---------------------------------------------------------------------------------------------
// Requirements.

void Resolver::collect_requirements() {
  for (const auto& r : facts_.requirements) {
    if (r.editable) continue;
    if (!applies(r)) continue;
    if (r.weak) weak_.push_back(&r);
    else if (r.group.empty() || r.group == "constraints") main_.push_back(&r);
    else other_.push_back(&r);
  }
}

const Framework* Resolver::choose_framework() {
  if (!options_.framework.empty()) {
    auto req = inspect::parse_requirement(options_.framework, Source{"--framework", 0});
    const Framework* fw = req ? catalog_.framework_of_package(req->name) : nullptr;
    if (!fw && req) fw = catalog_.framework(req->name);
    if (!fw) {
      std::vector<std::string> known;
      for (const auto& f : catalog_.frameworks()) known.push_back(f.packages.front());
      throw Error(ErrorCode::UnknownVersion, "--framework " + options_.framework + " names no framework the catalog knows",
                  "give one of " + join(known, ", ") + ", with or without ==VERSION");
    }
    decide("framework", fw->display, "--framework " + options_.framework + " was given; the repository's own pins are not used");
    return fw;
  }
  struct Candidate {
    const Framework* fw;
    int tier;  // 0 main, 1 optional groups, 2 README
    bool pinned;
    Source where;
  };
  std::vector<Candidate> found;
  auto scan = [&](const std::vector<const Requirement*>& reqs, int tier) {
    for (const auto* r : reqs) {
      const Framework* fw = catalog_.framework_of_package(r->name);
      if (!fw) continue;
      auto spec = SpecifierSet::parse(strip_build_tags(r->specifier, true));
      bool pinned = spec && spec->exact().has_value();
      found.push_back(Candidate{fw, tier, pinned, r->source});
    }
  };
  scan(main_, 0);
  scan(other_, 1);
  scan(weak_, 2);
  for (const auto& h : facts_.hints) {
    if (!h.weak) continue;
    if (const Framework* fw = catalog_.framework_of_package(h.subject)) found.push_back(Candidate{fw, 3, false, h.source});
  }
  if (found.empty()) return nullptr;
  auto order = [&](const Framework* fw) {
    for (std::size_t k = 0; k < catalog_.frameworks().size(); ++k) {
      if (&catalog_.frameworks()[k] == fw) return k;
    }
    return catalog_.frameworks().size();
  };
  std::stable_sort(found.begin(), found.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.pinned != b.pinned) return a.pinned;
    return order(a.fw) < order(b.fw);
  });
  const Framework* chosen = found.front().fw;
  std::vector<std::string> others;
  for (const auto& c : found) {
    if (c.fw != chosen && std::find(others.begin(), others.end(), c.fw->display) == others.end()) others.push_back(c.fw->display);
  }
  static const char* kTier[] = {"its requirements", "an optional group", "its README's install commands", "its README"};
  auto& d = decide("framework", chosen->display, "the repository names " + chosen->display + " in " + kTier[found.front().tier] +
                                                     " (" + found.front().where.str() + ")");
  d.facts.push_back(found.front().where);
  for (const auto& o : others) d.rejected.push_back(o + ": also named; it is installed with pip in the " + chosen->display + " image");
  return chosen;
}

// ---------------------------------------------------------------------------------------------
// Framework images.

void Resolver::choose_framework_image(const Framework& fw) {
  bool paddle = fw.name == "paddlepaddle";
  // What the repository asks of the framework's version.
  std::vector<Ask> asks, weak_asks;
  if (!options_.framework.empty()) {
    auto req = inspect::parse_requirement(options_.framework, Source{"--framework", 0});
    if (req && !req->specifier.empty()) asks.push_back(Ask{strip_build_tags(req->specifier, paddle), options_.framework, Source{"--framework", 0}});
  } else {
    for (const auto* list : {&main_}) {
      for (const auto* r : *list) {
        if (std::find(fw.packages.begin(), fw.packages.end(), r->name) == fw.packages.end() || r->specifier.empty()) continue;
        asks.push_back(Ask{strip_build_tags(r->specifier, paddle), r->raw, r->source});
      }
    }
    if (asks.empty()) {
      for (const auto* list : {&other_, &weak_}) {
        for (const auto* r : *list) {
          if (std::find(fw.packages.begin(), fw.packages.end(), r->name) == fw.packages.end() || r->specifier.empty()) continue;
          weak_asks.push_back(Ask{strip_build_tags(r->specifier, paddle), r->raw, r->source});
        }
      }
      for (const auto& h : facts_.hints) {
        if (h.weak && catalog_.framework_of_package(h.subject) == &fw) weak_asks.push_back(Ask{h.spec, h.text, h.source});
      }
    }
  }
  auto matching = [&](const std::vector<Ask>& list) {
    std::vector<const FrameworkRelease*> out;
    for (const auto& rel : fw.releases) {
      bool ok = true;
      for (const auto& a : list) {
        auto spec = SpecifierSet::parse(a.spec);
        if (!spec || !spec->contains(rel.version)) ok = false;
      }
      if (ok) out.push_back(&rel);
    }
    return out;
  };
  auto known_range = [&] {
    return fw.releases.empty() ? std::string("none") : fw.releases.front().version + " to " + fw.releases.back().version;
  };
  std::vector<const FrameworkRelease*> candidates = matching(asks);
  std::string version_reason;
  if (candidates.empty()) {
    // Either two asks exclude each other, or one names a release the catalog does not have.
    for (const auto& a : asks) {
      if (matching({a}).empty()) {
        throw Error(ErrorCode::UnknownVersion,
                    where_text(a) + " asks " + fw.packages.front() + a.spec + ", which the catalog does not know (it knows " +
                        fw.display + " " + known_range() + ")",
                    "pass --framework " + fw.packages.front() + "==VERSION with a known release, or add the release to a catalog file "
                    "(--catalog FILE or ~/.config/dlcontainer/catalog.json; see docs/resolve.md)");
      }
    }
    std::vector<std::string> parts;
    for (const auto& a : asks) parts.push_back(where_text(a));
    throw Error(ErrorCode::Conflict, "no " + fw.display + " release satisfies all of: " + join(parts, "; "),
                "make the files agree, or choose one with --framework " + fw.packages.front() + "==VERSION");
  }
  if (!asks.empty()) {
    std::vector<std::string> parts;
    for (const auto& a : asks) parts.push_back(where_text(a));
    version_reason = join(parts, "; ");
  } else if (!weak_asks.empty()) {
    auto narrowed = matching(weak_asks);
    if (!narrowed.empty()) {
      candidates = narrowed;
      std::vector<std::string> parts;
      for (const auto& a : weak_asks) parts.push_back(where_text(a));
      version_reason = "weak hints: " + join(parts, "; ");
    } else {
      plan_.warnings.push_back("the README's " + fw.display + " version (" + where_text(weak_asks.front()) + ") is not in the catalog; ignored");
    }
  }
  // Newest first; an unpinned repository gets the releases of its own era first.
  std::vector<const FrameworkRelease*> ordered(candidates.rbegin(), candidates.rend());
  std::string era;
  if (candidates.size() > 1 && !facts_.commit_date.empty()) {
    std::stable_partition(ordered.begin(), ordered.end(),
                          [&](const FrameworkRelease* r) { return released_by(r->released, facts_.commit_date); });
    if (released_by(ordered.front()->released, facts_.commit_date)) {
      era = "HEAD is dated " + facts_.commit_date + "; the newest " + fw.display + " release" +
            (version_reason.empty() ? "" : " allowed") + " by then is " + ordered.front()->version +
            " (released " + ordered.front()->released + ")";
    }
  }
  if (version_reason.empty()) {
    version_reason = era.empty() ? "no version is pinned: the newest release in the catalog" : "no version is pinned: " + era;
  } else if (!era.empty()) {
    version_reason += "; " + era;
  }

  // CUDA, cuDNN and Python asks that filter images.
  std::vector<Ask> cuda_asks = strong_hints("cuda"), cudnn_asks = strong_hints("cudnn");
  if (!options_.cuda.empty()) cuda_asks = {Ask{"==" + options_.cuda + ".*", "--cuda " + options_.cuda, Source{"--cuda", 0}}};
  std::vector<std::string> rejected_releases;
  bool driver_blocked = false;  // some image fit every ask but the driver
  for (const FrameworkRelease* rel : ordered) {
    struct Option {
      const FrameworkImage* img;
      CudaCheck check;
    };
    std::vector<Option> ok;
    std::vector<std::string> rejected, why_not;  // per image; and the distinct reasons, for an error
    auto reject = [&](const FrameworkImage& img, const std::string& why) {
      rejected.push_back(img.image + ": " + why);
      if (std::find(why_not.begin(), why_not.end(), why) == why_not.end()) why_not.push_back(why);
    };
    for (const auto& img : rel->images) {
      if (img.kind != (gpu_mode_ ? "gpu" : "cpu")) continue;
      if (gpu_mode_) {
        bool cuda_ok = true;
        for (const auto& a : cuda_asks) {
          auto spec = SpecifierSet::parse(a.spec);
          if (spec && !spec->contains(img.cuda)) {
            reject(img, "CUDA " + img.cuda + ", but " + where_text(a) + " asks CUDA " + spec_words(a.spec));
            cuda_ok = false;
            break;
          }
        }
        if (!cuda_ok) continue;
        auto check = check_cuda(img.cuda, host_, catalog_);
        if (!check.ok) {
          reject(img, check.why);
          driver_blocked = true;
          continue;
        }
        ok.push_back(Option{&img, check});
      } else {
        ok.push_back(Option{&img, {}});
      }
    }
    if (ok.empty() && !gpu_mode_ && !rel->pip.empty()) {
      // No CPU image: a plain Python image and the framework from pip.
      plan_.framework = fw.name;
      plan_.framework_version = rel->version;
      auto& d = decide("version", fw.display + " " + rel->version, version_reason);
      for (const auto& a : asks) d.facts.push_back(a.where);
      plan_.flavor = "cpu";
      choose_python_image(rel->python, fw.display + " " + rel->version + " supports Python " + rel->python);
      plan_.pip_packages.push_back(rel->pip);
      auto& p = decide("image", plan_.base_image, fw.display + " publishes no CPU-only image: " + rel->pip + " is installed with pip on " +
                                                    plan_.base_image + " (on a CPU the CUDA libraries of the wheel stay unused)");
      p.citations.push_back(catalog_.cite(rel->source));
      decide_pip({}, fw.packages.front());
      return;
    }
    if (ok.empty()) {
      rejected_releases.push_back(fw.display + " " + rel->version + ": " +
                                  (why_not.empty() ? std::string("no ") + (gpu_mode_ ? "GPU" : "CPU") + " image in the catalog" : join(why_not, "; ")));
      continue;
    }
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
    std::stable_sort(ok.begin(), ok.end(), [&](const Option& a, const Option& b) {
      if (a.img->user != b.img->user) return a.img->user;
      if (a.check.compat != b.check.compat) return !a.check.compat;
      if (cudnn_ok(a.img) != cudnn_ok(b.img)) return cudnn_ok(a.img);
      auto va = Version::parse(a.img->cuda.empty() ? "0" : a.img->cuda), vb = Version::parse(b.img->cuda.empty() ? "0" : b.img->cuda);
      if (va && vb && !(*va == *vb)) return *vb < *va;
      return (a.img->flavor == want) > (b.img->flavor == want);
    });
    const Option& best = ok.front();
    const FrameworkImage& img = *best.img;
    plan_.framework = fw.name;
    plan_.framework_version = rel->version;
    auto& fd = decide("version", fw.display + " " + rel->version, version_reason);
    for (const auto& a : asks) fd.facts.push_back(a.where);
    fd.rejected = rejected_releases;
    fd.citations.push_back(catalog_.cite(rel->source));

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
      for (const auto& i : rel->images) {
        if (i.kind == "gpu") cudas.insert(i.cuda);
      }
      because = fw.display + " " + rel->version + " has images for CUDA " + join(std::vector<std::string>(cudas.begin(), cudas.end()), ", ");
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
      because = gpu_mode_ ? "" : "the CPU image of " + fw.display + " " + rel->version;
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
    for (const auto& r : rejected) d.rejected.push_back(r);

    if (devel_ && img.flavor != "devel" && plan_.gpu && !rel->pip.empty()) {
      // A framework whose images have no nvcc (TensorFlow's, PaddlePaddle's): a CUDA -devel base and the framework from pip.
      for (const auto& c : catalog_.cuda_images()) {
        if (c.flavor != "devel" || c.cuda != img.cuda || (!img.cudnn.empty() && c.cudnn.empty())) continue;
        d.rejected.push_back(img.image + ": has no nvcc, and " + devel_why_);
        d.choice = c.image;
        d.reason = "CUDA code must be compiled (" + devel_why_ + ") and " + fw.display + " publishes no -devel image: " + c.image +
                   " with " + rel->pip + " from pip";
        d.citations = {catalog_.cite(c.source), catalog_.cite(rel->source)};
        plan_.base_image = c.image;
        plan_.flavor = "devel";
        plan_.cudnn = c.cudnn;
        plan_.base_has_python = false;
        plan_.pip_packages.push_back(rel->pip);
        plan_.python = ubuntu_python(c.os);
        decide("python", plan_.python.empty() ? "the OS's python3" : plan_.python, "apt's python3 of " + c.os);
        decide_pip({}, fw.packages.front());
        if (plan_.minor_version_compatibility) plan_.env["NVIDIA_DISABLE_REQUIRE"] = "1";
        return;
      }
      plan_.warnings.push_back("CUDA code must be compiled (" + devel_why_ + ") but " + img.image + " has no nvcc and the catalog has no CUDA " +
                               img.cuda + " -devel image to use instead");
    }
    if (plan_.minor_version_compatibility) {
      plan_.env["NVIDIA_DISABLE_REQUIRE"] = "1";
      decide("env", "NVIDIA_DISABLE_REQUIRE=1",
             "the image's NVIDIA_REQUIRE_CUDA check refuses a driver older than its toolkit's even where CUDA minor-version "
             "compatibility runs it; the check is turned off for this image")
          .citations.push_back(catalog_.cite(catalog_.minor_compat(static_cast<int>(Version::parse(img.cuda)->major()))->source));
    }
    decide_python_of_image(img.python, img.image);
    decide_pip(img.provides, "");
    return;
  }
  // Nothing fits.
  std::string asked = asks.empty() ? fw.display : join([&] {
    std::vector<std::string> p;
    for (const auto& a : asks) p.push_back(where_text(a));
    return p;
  }(), "; ");
  if (gpu_mode_ && host_.kind == HostView::Kind::Driver && driver_blocked) {
    // The lowest driver that would run some candidate: the way out.
    std::string lowest;
    for (const FrameworkRelease* rel : ordered) {
      for (const auto& img : rel->images) {
        if (img.kind != "gpu") continue;
        auto check = check_cuda(img.cuda, host_, catalog_);
        std::string need = !check.compat_driver.empty() && compare_driver(check.compat_driver, check.min_driver) < 0 ? check.compat_driver
                                                                                                                    : check.min_driver;
        if (!need.empty() && (lowest.empty() || compare_driver(need, lowest) < 0)) lowest = need;
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
                "update the NVIDIA driver to >= " + (lowest.empty() ? std::string("a newer release") : lowest) +
                    (runnable.empty() ? "" : ", or pin " + fw.packages.front() + "==" + runnable.substr(0, runnable.find(' ')) +
                                                 " which this driver runs (" + runnable.substr(runnable.find('(') + 1)) +
                    ", or pass --cpu to plan a CPU image");
  }
  throw Error(ErrorCode::UnknownVersion, asked + ": the catalog has no " + std::string(gpu_mode_ ? "GPU" : "CPU") + " image that fits (" +
                                             join(rejected_releases, "; ") + ")",
              "relax the CUDA pin, pass --cuda VERSION or --framework, or add an image to a catalog file (see docs/resolve.md)");
}

// ---------------------------------------------------------------------------------------------
// No framework: a CUDA base, or Python.

void Resolver::choose_cuda_image() {
  std::vector<Ask> cuda_asks = strong_hints("cuda");
  bool weak_used = false;
  if (!options_.cuda.empty()) cuda_asks = {Ask{"==" + options_.cuda + ".*", "--cuda " + options_.cuda, Source{"--cuda", 0}}};
  if (cuda_asks.empty()) {
    cuda_asks = weak_hints("cuda");
    weak_used = !cuda_asks.empty();
  }
  std::vector<Ask> cudnn_asks = strong_hints("cudnn");
  bool wants_libs = !cudnn_asks.empty();
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
      if (!cudnn_asks.empty() ? img.cudnn.empty() : !img.cudnn.empty()) continue;
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
    cuda_asks.clear();
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
  reason = parts.empty() ? "no framework and no CUDA version is named, but CUDA is needed (" + devel_why_ + "): the newest CUDA" +
                               (host_.kind == HostView::Kind::Driver ? " this driver runs" : "")
                         : join(parts, "; ") + (weak_used ? " (a weak hint)" : "") + " and no framework is named: the nvidia/cuda image itself";
  reason += flavor == "devel" ? "; -devel because " + devel_why_
            : flavor == "runtime" ? "; -runtime for the CUDA libraries (cuDNN or cupy are asked for)"
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

// ---------------------------------------------------------------------------------------------
// Extras.

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
  if (!plan_.base_has_python && (!plan_.pip_packages.empty() || plan_.mode == "image")) {
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
    plan_.pip_packages.push_back(r->raw);
    d.facts.push_back(r->source);
  }
  if (!provided.empty() && !plan_.framework_version.empty()) {
    for (const auto& p : provided) plan_.pip_constraints.push_back(p + "==" + plan_.framework_version + ".*");
  }
  for (const auto& o : facts_.pip_options) {
    if (o.option == "readme-url") continue;
    plan_.pip_options.push_back(o.option);
    if (!o.value.empty()) plan_.pip_options.push_back(o.value);
  }
  for (const auto& r : facts_.requirements) {
    if (r.editable && (r.group.empty()) && !r.weak) {
      plan_.warnings.push_back(r.source.str() + " installs " + (r.url.empty() ? r.name : r.url) +
                               " from the repository itself; run `pip install -e .` (or the file's line) in the container");
    }
  }
  if (plan_.pip_packages.empty() && dropped.empty()) return;
  d.choice = plan_.pip_packages.empty() ? "nothing" : std::to_string(plan_.pip_packages.size()) + " requirement" + (plan_.pip_packages.size() == 1 ? "" : "s");
  d.reason = "the repository's main requirements (" + join(facts_.manifests, ", ") + "), less what the image has";
  if (!plan_.pip_constraints.empty()) d.reason += "; pip is held to " + join(plan_.pip_constraints, ", ") + " so that nothing replaces the image's framework";
  d.rejected = dropped;
  plan_.decisions.push_back(std::move(d));
}

Plan Resolver::run() {
  plan_.commit_date = facts_.commit_date;
  plan_.catalog = catalog_.origins();
  plan_.apt_mirror = options_.apt_mirror;
  plan_.pip_index_url = options_.pip_index_url;
  for (const auto& w : facts_.warnings) plan_.warnings.push_back(w);
  decide_host();
  if (from_devcontainer() || from_dockerfile()) return plan_;
  collect_requirements();
  devel_ = needs_devel(&devel_why_, &devel_where_);
  const Framework* fw = choose_framework();
  if (fw) {
    choose_framework_image(*fw);
  } else {
    bool wants_cuda = !strong_hints("cuda").empty() || !options_.cuda.empty() || devel_ ||
                      std::any_of(facts_.hints.begin(), facts_.hints.end(), [](const VersionHint& h) { return h.subject == "gpu"; });
    if (gpu_mode_ && wants_cuda) {
      decide("framework", "none", "no PyTorch, TensorFlow or PaddlePaddle requirement; CUDA is asked for, so an nvidia/cuda image");
      choose_cuda_image();
    } else {
      if (wants_cuda && !gpu_mode_) {
        plan_.warnings.push_back("the repository uses CUDA" + (devel_why_.empty() ? std::string() : " (" + devel_why_ + ")") +
                                 ", but the plan has no GPU: its CUDA parts will not run; pass --driver VERSION to plan for a GPU host");
      }
      plan_.flavor = "cpu";
      decide("framework", "none", "no PyTorch, TensorFlow or PaddlePaddle requirement, and no CUDA to provide: a plain Python image");
      choose_python_image("", "");
      decide_pip({}, "");
    }
  }
  if (devel_ && !gpu_mode_) {
    plan_.warnings.push_back(devel_why_ + ", but the plan has no GPU and so no nvcc; pass --driver VERSION to plan for a GPU host");
  }
  decide_apt();
  return plan_;
}

}  // namespace

Plan resolve(const inspect::RepoFacts& facts, const gpu::HostFacts& host, const Catalog& catalog, const ResolveOptions& options) {
  Resolver r(facts, host, catalog, options);
  return r.run();
}

}  // namespace dlc::resolve
