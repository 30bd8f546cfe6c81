// RepoFacts + HostFacts + options -> Plan, with each decision explained: the order of the steps,
// and the facts every step reads.
#include <algorithm>
#include <map>
#include <set>

#include "inspect/text.h"
#include "inspect/version.h"
#include "resolve/resolver.h"
#include "support/error.h"

namespace dlc::resolve {

using inspect::Source;
using inspect::VersionHint;

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

std::string where_text(const Ask& a) { return a.where.str() + " (" + a.text + ")"; }

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

std::string ubuntu_python(const std::string& os) {
  if (os == "ubuntu16.04") return "3.5";
  if (os == "ubuntu18.04") return "3.6";
  if (os == "ubuntu20.04") return "3.8";
  if (os == "ubuntu22.04") return "3.10";
  if (os == "ubuntu24.04") return "3.12";
  return "";
}

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

namespace {

// A buildNeeds package ("mmcv-full"), or a package with an extra that pulls in one built with nvcc
// ("traker[fast]": fast_jl, an sdist CUDA extension).
bool needs_build(const inspect::Requirement& r, const std::string& package) {
  auto open = package.find('[');
  if (open == std::string::npos) return r.name == package;
  std::string extra = package.substr(open + 1, package.size() - open - 2);
  return r.name == package.substr(0, open) && std::find(r.extras.begin(), r.extras.end(), extra) != r.extras.end();
}

}  // namespace

// A find-links or index option naming PyTorch Geometric's wheel pages (data.pyg.org, the older
// pytorch-geometric.com/whl): its extensions come prebuilt for the torch/CUDA pair, nothing is compiled.
bool Resolver::pyg_wheel_index() const {
  return std::any_of(facts_.pip_options.begin(), facts_.pip_options.end(), [](const inspect::PipOption& o) {
    return o.value.find("data.pyg.org") != std::string::npos || o.value.find("pytorch-geometric.com/whl") != std::string::npos;
  });
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
                                                             {"jit-load", "compiles CUDA at run time (torch.utils.cpp_extension.load)"},
                                                             {"nvcc-build", "runs nvcc to build its extensions"}};
    if (c.kind.rfind("build-import:torch_", 0) == 0 && pyg_wheel_index()) continue;  // PyG's prebuilt wheels
    if (c.kind.rfind("build-import:", 0) == 0) {
      *why = c.source.str() + " imports " + c.kind.substr(13) + ", whose package is built with nvcc at install";
    } else {
      *why = c.source.str() + " " + kWhat.at(c.kind);
    }
    where->push_back(c.source);
    return true;
  }
  // What the repository's own install installs: its main requirements, and the packages its README's
  // commands, its Dockerfiles and its cog.yaml install (not a README's optional extras).
  for (const auto* list : {&main_, &weak_, &docker_, &other_}) {
    for (const auto* r : *list) {
      if (r->group == "readme-optional" || (list == &other_ && r->group != "cog")) continue;
      for (const auto& b : catalog_.build_needs()) {
        if (needs_build(*r, b.package)) {
          *why = r->source.str() + " installs " + r->name + ", which " + b.why;
          where->push_back(r->source);
          return true;
        }
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
// Requirements.

void Resolver::collect_requirements() {
  for (const auto& r : facts_.requirements) {
    if (r.editable) continue;
    if (!applies(r)) continue;
    if (r.group == "dockerfile") docker_.push_back(&r);
    else if (r.weak) weak_.push_back(&r);
    else if (r.group.empty() || r.group == "constraints") main_.push_back(&r);
    else other_.push_back(&r);
  }
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
  } else if (!unlisted_.empty()) {
    choose_unlisted_framework();
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


Plan resolve(const inspect::RepoFacts& facts, const gpu::HostFacts& host, const Catalog& catalog, const ResolveOptions& options) {
  Resolver r(facts, host, catalog, options);
  return r.run();
}

}  // namespace dlc::resolve
