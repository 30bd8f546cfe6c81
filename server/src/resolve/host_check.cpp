#include "resolve/host_check.h"

#include <algorithm>

#include "inspect/version.h"

namespace dlc::resolve {

using inspect::Version;

HostView view_host(const gpu::HostFacts& h, const Catalog& c) {
  HostView v;
  if (h.driver_present && !h.driver_version.empty()) {
    v.kind = HostView::Kind::Driver;
    v.driver = h.driver_version;
    v.max_cuda = c.max_cuda(h.driver_version);
    std::string how = h.source == "given" ? "given with --driver" : "read with " + (h.source.empty() ? std::string("?") : h.source);
    v.words = "NVIDIA driver " + v.driver + " (" + how + ")" +
              (v.max_cuda.empty() ? ", older than every CUDA toolkit in the catalog" : ", which runs CUDA " + v.max_cuda + " and older");
    if (!h.gpus.empty()) v.words += "; " + std::to_string(h.gpus.size()) + " GPU" + (h.gpus.size() > 1 ? "s" : "") + " (" + h.gpus[0].name +
                                  (h.gpus[0].compute_major > 0 ? ", compute capability " + std::to_string(h.gpus[0].compute_major) + "." + std::to_string(h.gpus[0].compute_minor) : "") + ")";
  } else if (!h.source.empty()) {
    v.kind = HostView::Kind::NoGpu;
    v.words = "no usable NVIDIA GPU" + (h.why_none.empty() ? std::string() : ": " + h.why_none);
  } else {
    v.words = "GPU and driver unknown: images are not checked against a driver (pass --driver VERSION, or --no-gpu)";
  }
  for (const auto& g : h.gpus) {
    if (g.compute_major <= 0) continue;
    bool seen = std::any_of(v.gpus.begin(), v.gpus.end(), [&](const GpuArch& x) { return x.major == g.compute_major && x.minor == g.compute_minor; });
    if (!seen) v.gpus.push_back(GpuArch{g.name, g.compute_major, g.compute_minor});
  }
  if (v.kind == HostView::Kind::Unknown && !v.gpus.empty()) {
    v.words = "driver unknown (images are not checked against a driver); a GPU of compute capability " + std::to_string(v.gpus[0].major) + "." +
              std::to_string(v.gpus[0].minor);
  }
  return v;
}

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

}  // namespace dlc::resolve
