// conda environment.yml, read with yaml-cpp.

#include <algorithm>

#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"
#include "inspect/yaml_load.h"

namespace dlc::inspect {

namespace {

// Conda packages that are the CUDA toolkit itself (the version is a CUDA version, not a package to install).
bool is_cuda_package(const std::string& name) {
  return name == "cudatoolkit" || name == "cuda-toolkit" || name == "cuda-version" || name == "pytorch-cuda" ||
         name == "cuda" || name == "cuda-runtime" || name == "cuda-cudart" || name == "cudatoolkit-dev";
}

// "pytorch::pytorch=1.7.1=py3.8_cuda10.1_cudnn7.6.3_0" -> name "pytorch", version part "=1.7.1".
void split_match_spec(std::string_view spec, std::string& name, std::string& version) {
  spec = trim(spec);
  if (auto colons = spec.find("::"); colons != std::string_view::npos) spec = spec.substr(colons + 2);
  if (auto slash = spec.find('/'); slash != std::string_view::npos && spec.find_first_of("=<>!~ ") > slash) {
    spec = spec.substr(slash + 1);  // "conda-forge/label/x::" forms and "channel/name"
  }
  std::size_t end = spec.find_first_of("=<>!~ [");
  name = normalize_name(spec.substr(0, end));
  if (end == std::string_view::npos) return;
  std::string_view rest = trim(spec.substr(end));
  if (starts_with(rest, "[")) return;  // bracket options: version inside; rare, left unread
  if (starts_with(rest, "==")) {
    version = std::string(rest);
    return;
  }
  if (starts_with(rest, "=")) {
    // "=1.7.1=build": the build string after the second '=' is not part of the version.
    rest.remove_prefix(1);
    version = "=" + std::string(rest.substr(0, rest.find('=')));
    return;
  }
  if (rest[0] != '<' && rest[0] != '>' && rest[0] != '!' && rest[0] != '~') {
    // "numpy 1.19.*" or "numpy 1.19 py38_0": version, then an optional build string.
    version = std::string(rest.substr(0, rest.find(' ')));
    return;
  }
  // ">=3.8", and as NVIDIA's environment files write it, ">= 3.8" or ">=1.13, <2": spaces after an
  // operator or a comma belong to the version; the first other space ends it (a build string follows).
  for (std::size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == ' ') {
      char before = version.empty() ? '\0' : version.back();
      if (before == '=' || before == '<' || before == '>' || before == '!' || before == '~' || before == ',') continue;
      std::size_t next = rest.find_first_not_of(' ', i);
      if (next != std::string_view::npos && rest[next] == ',') continue;  // ">=1.0 ,<2"
      break;
    }
    version += c;
  }
}

}  // namespace

void add_conda_spec(std::string_view text, const Source& where, RepoFacts& out, const std::string& group, bool weak) {
  std::string name, version;
  split_match_spec(text, name, version);
  if (name.empty()) {
    out.warnings.push_back(where.str() + ": cannot read the conda package \"" + std::string(text) + "\"");
    return;
  }
  auto spec = SpecifierSet::parse_conda(version);
  if (!spec) {
    out.warnings.push_back(where.str() + ": cannot read the version of \"" + std::string(text) + "\"");
    // A version that cannot be read says nothing of Python's or CUDA's (cudatoolkit==${CUDA_VERSION}
    // with no such build argument); a package stays a requirement, unpinned.
    if (name == "python" || is_cuda_package(name) || name == "cudnn") return;
    spec = SpecifierSet{};
  }
  if (name == "python") {
    out.hints.push_back(VersionHint{"python", spec->str(), weak, std::string(text), where});
    return;
  }
  if (is_cuda_package(name)) {
    out.hints.push_back(VersionHint{"cuda", spec->str(), weak, std::string(text), where});
    return;
  }
  if (name == "cudnn") {
    out.hints.push_back(VersionHint{"cudnn", spec->str(), weak, std::string(text), where});
    return;
  }
  if (name == "cpuonly") {
    out.hints.push_back(VersionHint{"cpu", "", weak, std::string(text), where});
    return;
  }
  Requirement r;
  // conda's pytorch is pip's torch; the rest share their names with PyPI closely enough.
  r.name = name == "pytorch" || name == "pytorch-gpu" ? "torch" : name;
  r.specifier = spec->str();
  r.raw = r.name + r.specifier;
  r.origin = weak ? "readme" : "conda";
  r.group = group;
  r.weak = weak;
  r.source = where;
  out.requirements.push_back(std::move(r));
}

std::optional<YAML::Node> load_yaml(std::string_view text, const std::string& file, RepoFacts& out) {
  // yaml-cpp parses flow collections recursively: bound the nesting before it can exhaust the stack.
  int depth = 0, deepest = 0;
  for (char c : text) {
    if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  if (deepest > 64) {
    out.warnings.push_back(file + ": nested more than 64 levels deep; not read");
    return std::nullopt;
  }
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    out.warnings.push_back(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    return std::nullopt;
  }
}

void parse_environment_yml(std::string_view text, const std::string& file, RepoFacts& out, const std::string& group) {
  auto loaded = load_yaml(text, file, out);
  if (!loaded) return;
  YAML::Node doc = *loaded;
  if (std::find(out.manifests.begin(), out.manifests.end(), file) == out.manifests.end()) out.manifests.push_back(file);
  if (!doc.IsMap()) {
    if (!doc.IsNull()) out.warnings.push_back(file + ": not a conda environment (expected a mapping)");
    return;
  }
  auto line_of_node = [&](const YAML::Node& n) { return Source{file, n.Mark().line + 1}; };
  try {
    if (auto channels = doc["channels"]; channels && channels.IsSequence()) {
      for (const auto& c : channels) {
        if (c.IsScalar()) out.conda_channels.push_back(c.as<std::string>());
      }
    }
    auto deps = doc["dependencies"];
    if (!deps) return;
    if (!deps.IsSequence()) {
      out.warnings.push_back(line_of_node(deps).str() + ": dependencies must be a list");
      return;
    }
    for (const auto& dep : deps) {
      if (dep.IsScalar()) {
        add_conda_spec(dep.Scalar(), line_of_node(dep), out, group, false);
      } else if (dep.IsMap()) {
        for (const auto& kv : dep) {
          if (!kv.first.IsScalar() || kv.first.Scalar() != "pip") continue;
          if (!kv.second.IsSequence()) {
            out.warnings.push_back(line_of_node(kv.second).str() + ": pip: must be a list");
            continue;
          }
          for (const auto& p : kv.second) {
            if (!p.IsScalar()) continue;
            Source where = line_of_node(p);
            std::string_view line = trim(p.Scalar());
            if (line.empty()) continue;
            if (line.front() == '-') {
              // "-r requirements.txt" and index options inside the pip: section.
              std::string_view opt = line.substr(0, line.find_first_of(" =")), value;
              if (opt.size() < line.size()) value = trim(line.substr(opt.size() + 1));
              if (opt == "--extra-index-url" || opt == "--index-url" || opt == "-i" || opt == "-f" || opt == "--find-links") {
                std::string canonical = opt == "-i" ? "--index-url" : opt == "-f" ? "--find-links" : std::string(opt);
                out.pip_options.push_back(PipOption{canonical, std::string(value), where});
              } else if (opt == "-e" || opt == "--editable") {
                Requirement r;
                r.name = value == "." ? "." : normalize_name(value.substr(value.find_last_of('/') + 1));
                r.raw = r.url = std::string(value);
                r.editable = true;
                r.origin = "pip";
                r.group = group;
                r.source = where;
                out.requirements.push_back(std::move(r));
              } else {
                out.warnings.push_back(where.str() + ": the pip option \"" + std::string(line) + "\" is not followed here");
              }
              continue;
            }
            std::string why;
            if (auto req = parse_requirement(line, where, &why)) {
              req->origin = "pip";
              req->group = group;
              out.requirements.push_back(std::move(*req));
            } else if (auto local = local_path_requirement(line, where)) {
              local->group = group;
              out.requirements.push_back(std::move(*local));
            } else {
              out.warnings.push_back(where.str() + ": " + why);
            }
          }
        }
      }
    }
  } catch (const YAML::Exception& e) {
    out.warnings.push_back(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace dlc::inspect
