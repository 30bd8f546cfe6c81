// Shared by the resolve_* unit tests: hosts, the built-in catalog, a plan of some files, and what a
// plan decided.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "plan_fixtures.h"
#include "resolve/plan.h"
#include "support/error.h"

namespace dlc::testing {

inline gpu::HostFacts driver(const std::string& version) {
  gpu::HostFacts h;
  h.driver_present = true;
  h.driver_version = version;
  h.source = "given";
  return h;
}

// A host with this driver and GPUs of this compute capability.
inline gpu::HostFacts driver_and_gpu(const std::string& version, int major, int minor, const std::string& name = "NVIDIA H100 80GB HBM3") {
  gpu::HostFacts h = driver(version);
  gpu::GpuDevice d;
  d.name = name;
  d.compute_major = major;
  d.compute_minor = minor;
  h.gpus.push_back(d);
  return h;
}

inline gpu::HostFacts no_gpu() {
  gpu::HostFacts h;
  h.source = "nvml";
  h.why_none = "libnvidia-ml.so.1 not found";
  return h;
}

inline const resolve::Catalog& catalog() {
  static const resolve::Catalog c = resolve::Catalog::builtin();
  return c;
}

inline resolve::Plan plan(const std::map<std::string, std::string>& files, const gpu::HostFacts& host, resolve::ResolveOptions options = {},
                          std::string date = "") {
  return resolve::resolve(facts_of(files, std::move(date)), host, catalog(), options);
}

inline const resolve::Decision* decision(const resolve::Plan& p, const std::string& topic) {
  for (const auto& d : p.decisions) {
    if (d.topic == topic) return &d;
  }
  return nullptr;
}

inline bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// Whether some warning says `text`.
inline bool warned(const resolve::Plan& p, const std::string& text) {
  for (const auto& w : p.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

inline Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCode::Internal, "");
}

}  // namespace dlc::testing
