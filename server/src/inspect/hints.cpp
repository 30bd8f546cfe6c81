// Facts that follow from other facts: CUDA versions named by index URLs, local versions, PaddlePaddle
// post-releases, CUDA-specific package names and NVIDIA's CUDA runtime wheel.
#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"

namespace dlc::inspect {

namespace {

// "https://download.pytorch.org/whl/cu113" and ".../whl/cu101/torch_stable.html" -> "11.3"/"10.1";
// ".../whl/cpu" -> "cpu"; "" when the URL names neither.
std::string cuda_of_url(std::string_view url) {
  for (auto part : split(url, '/')) {
    part = part.substr(0, part.find_first_of("?#"));
    if (auto cuda = cuda_from_tag(part)) return *cuda;
    if (part == "cpu") return "cpu";
  }
  return "";
}

void add(RepoFacts& f, const char* subject, std::string spec, bool weak, std::string text, const Source& where) {
  for (const auto& h : f.hints) {
    if (h.subject == subject && h.spec == spec && h.source == where) return;
  }
  f.hints.push_back(VersionHint{subject, std::move(spec), weak, std::move(text), where});
}

}  // namespace

void derive_hints(RepoFacts& f) {
  for (const auto& o : f.pip_options) {
    if (o.option == "--trusted-host" || o.option == "--pre") continue;
    std::string cuda = cuda_of_url(o.value);
    bool weak = o.option == "readme-url" || o.option == "dockerfile-url";
    if (cuda == "cpu") add(f, "cpu", "", weak, o.option + " " + o.value, o.source);
    else if (!cuda.empty()) add(f, "cuda", "==" + cuda + ".*", weak, o.option + " " + o.value, o.source);
  }
  for (const auto& r : f.requirements) {
    if (!r.specifier.empty()) {
      auto spec = SpecifierSet::parse(r.specifier);
      auto pinned = spec ? spec->exact() : std::nullopt;
      if (pinned && !pinned->local().empty()) {
        // torch==1.11.0+cu113: the wheel's local label names the CUDA it was built for.
        const std::string& local = pinned->local();
        if (auto cuda = cuda_from_tag(local.substr(0, local.find('.')))) {
          add(f, "cuda", "==" + *cuda + ".*", r.weak, r.raw, r.source);
        } else if (local == "cpu") {
          add(f, "cpu", "", r.weak, r.raw, r.source);
        }
      }
      if (pinned && (r.name == "paddlepaddle-gpu" || r.name == "paddlepaddle") && pinned->post()) {
        // paddlepaddle-gpu==2.4.2.post117: CUDA 11.7. Three digits are major, major, minor; the older
        // two-digit form (post97, post87) names CUDA 9.0 / 8.0 and cuDNN 7.
        std::string digits = std::to_string(*pinned->post());
        if (digits.size() == 3) add(f, "cuda", "==" + digits.substr(0, 2) + "." + digits.substr(2) + ".*", r.weak, r.raw, r.source);
        else if (digits.size() == 2) add(f, "cuda", "==" + digits.substr(0, 1) + ".0.*", r.weak, r.raw, r.source);
      }
    }
    // mxnet-cu101, mxnet-cu112: MXNet's GPU wheels carry their CUDA in the name.
    if (starts_with(r.name, "mxnet-cu")) {
      if (auto cuda = cuda_from_tag(r.name.substr(6))) add(f, "cuda", "==" + *cuda + ".*", r.weak, r.raw, r.source);
    }
    // cupy-cuda102, cupy-cuda110, cupy-cuda11x, cupy-cuda12x.
    if (starts_with(r.name, "cupy-cuda")) {
      std::string tag = r.name.substr(9);
      if (tag.size() == 3 && tag[2] == 'x') add(f, "cuda", "==" + tag.substr(0, 2) + ".*", r.weak, r.raw, r.source);
      else if (auto cuda = cuda_from_tag("cu" + tag)) add(f, "cuda", "==" + *cuda + ".*", r.weak, r.raw, r.source);
    }
    // nvidia-cuda-runtime-cu11==11.8.89 (a pip freeze of a torch 1.13+ install): the CUDA runtime the
    // framework's wheel was installed with is the one of its version.
    if ((r.name == "nvidia-cuda-runtime-cu11" || r.name == "nvidia-cuda-runtime-cu12") && !r.specifier.empty()) {
      auto spec = SpecifierSet::parse(r.specifier);
      auto pinned = spec ? spec->exact() : std::nullopt;
      if (pinned) add(f, "cuda", "==" + std::to_string(pinned->major()) + "." + std::to_string(pinned->minor()) + ".*", r.weak, r.raw, r.source);
    }
    if (r.name == "tensorflow-gpu" || r.name == "paddlepaddle-gpu") add(f, "gpu", "", r.weak, r.raw, r.source);
  }
}

}  // namespace dlc::inspect
