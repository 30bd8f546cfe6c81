// The GPU's compute capability against a build's architectures, and what the plan says about it.
#include "resolve/gpu_arch.h"

#include <algorithm>
#include <cstdlib>

#include "resolve/resolver.h"

namespace dlc::resolve {

namespace {

struct Entry {
  int major = 0, minor = 0;
  bool ptx = false;
};

std::vector<Entry> parse(const std::vector<std::string>& archs) {
  std::vector<Entry> out;
  for (const auto& a : archs) {
    Entry e;
    e.major = std::atoi(a.c_str());
    auto dot = a.find('.');
    if (dot != std::string::npos) e.minor = std::atoi(a.c_str() + dot + 1);
    e.ptx = a.find("+PTX") != std::string::npos;
    if (e.major > 0) out.push_back(e);
  }
  return out;
}

}  // namespace

ArchRun arch_run(const std::vector<std::string>& archs, int major, int minor) {
  if (archs.empty()) return ArchRun::Unknown;
  bool ptx = false;
  for (const auto& e : parse(archs)) {
    if (e.major == major && e.minor <= minor) return ArchRun::Native;
    if (e.ptx && (e.major < major || (e.major == major && e.minor <= minor))) ptx = true;
  }
  return ptx ? ArchRun::Ptx : ArchRun::No;
}

std::string arch_words(const std::vector<std::string>& archs) {
  std::string cubins, ptx;
  for (const auto& e : parse(archs)) {
    std::string n = std::to_string(e.major) + std::to_string(e.minor);
    cubins += (cubins.empty() ? "sm_" : ", sm_") + n;
    if (e.ptx) ptx += (ptx.empty() ? "" : ", ") + ("compute_" + n);
  }
  return cubins + (ptx.empty() ? ", no PTX" : ", PTX " + ptx);
}

ArchFit Resolver::arch_fit(const Framework& fw, const FrameworkRelease& rel, const FrameworkImage& img, const CudaCheck& check) const {
  ArchFit fit;
  if (host_.gpus.empty() || img.kind != "gpu") return fit;
  const BuildArchs* b = catalog_.build_archs(fw, rel.version, img.cuda);
  const GpuArch& g = host_.gpus.front();
  fit.gpu = g.name + " (compute capability " + std::to_string(g.major) + "." + std::to_string(g.minor) + ")";
  if (!b) {
    fit.why = "the catalog does not record which GPU architectures " + img.image + " was built for, so it is not checked against the " + fit.gpu;
    return fit;
  }
  fit.build = arch_words(b->archs);
  fit.source = b->source;
  // The worst of the host's GPUs decides.
  fit.run = ArchRun::Native;
  for (const auto& gpu : host_.gpus) {
    ArchRun r = arch_run(b->archs, gpu.major, gpu.minor);
    if (r == ArchRun::No || (r == ArchRun::Ptx && fit.run == ArchRun::Native)) {
      fit.run = r;
      fit.gpu = gpu.name + " (compute capability " + std::to_string(gpu.major) + "." + std::to_string(gpu.minor) + ")";
    }
  }
  std::string sm = "sm_" + std::to_string(host_.gpus.front().major) + std::to_string(host_.gpus.front().minor);
  if (fit.run == ArchRun::Ptx && check.compat) {
    // CUDA minor-version compatibility does not cover PTX JIT: the driver cannot compile PTX of a newer toolkit.
    fit.run = ArchRun::No;
    fit.why = fw.display + " " + rel.version + "'s build (" + fit.build + ") has no code for the " + fit.gpu +
              ", and its PTX cannot be JIT-compiled here: the image runs on this driver only through CUDA minor-version compatibility, "
              "which does not cover PTX JIT";
  } else if (fit.run == ArchRun::Ptx) {
    fit.why = fw.display + " " + rel.version + "'s build (" + fit.build + ") has no code for the " + fit.gpu +
              ": its kernels run only after the driver JIT-compiles the PTX when a program starts (slow the first time; libraries "
              "of the build's CUDA " + img.cuda + " that predate the GPU may still fail)";
  } else if (fit.run == ArchRun::No) {
    fit.why = fw.display + " " + rel.version + "'s build (" + fit.build + ") has neither code for the " + fit.gpu +
              " nor PTX it can compile: kernels fail with \"no kernel image is available for execution on the device\"";
  }
  return fit;
}

void Resolver::decide_arch(const Framework& fw, const FrameworkImage& img, const ArchFit& fit) {
  if (host_.gpus.empty() || img.kind != "gpu") return;
  if (fit.run == ArchRun::Unknown) {
    decide("gpu-arch", "not checked", fit.why);
    return;
  }
  if (fit.run == ArchRun::Native) {
    auto& d = decide("gpu-arch", "runs natively", img.image + " is built for " + fit.build + ", which includes code for the " + fit.gpu);
    d.citations.push_back(catalog_.cite(fit.source));
    return;
  }
  // The oldest release whose image (of a CUDA this driver runs) has code for the GPU: the way out.
  std::string oldest;
  for (const auto& r : fw.releases) {
    for (const auto& i : r.images) {
      if (i.kind != "gpu") continue;
      auto check = check_cuda(i.cuda, host_, catalog_);
      if (!check.ok) continue;
      if (arch_fit(fw, r, i, check).run == ArchRun::Native) {
        oldest = fw.packages.front() + "==" + r.version + " (" + i.image + ")";
        break;
      }
    }
    if (!oldest.empty()) break;
  }
  std::string way = oldest.empty() ? "no release in the catalog has code for it on this driver"
                                   : "the oldest release with code for it is " + oldest;
  auto& d = decide("gpu-arch", fit.run == ArchRun::Ptx ? "PTX JIT only" : "cannot run", fit.why + "; " + way);
  d.citations.push_back(catalog_.cite(fit.source));
  d.citations.push_back(catalog_.cite("gpu-arch-rule"));
  plan_.warnings.push_back(fit.why + "; " + way + (fit.run == ArchRun::Ptx ? " (or accept the JIT start-up; CUDA_FORCE_PTX_JIT=1 checks that it works)" : ""));
}

}  // namespace dlc::resolve
