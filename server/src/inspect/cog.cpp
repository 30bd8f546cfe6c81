// cog.yaml (Replicate's Cog): the image a repository publishes its model in, described as data.

#include <algorithm>

#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/version.h"
#include "inspect/yaml_load.h"

namespace dlc::inspect {

namespace {

constexpr const char* kGroup = "cog";

void add_package(std::string_view line, const Source& where, RepoFacts& out) {
  std::string why;
  if (auto req = parse_requirement(trim(line), where, &why)) {
    req->origin = "pip";
    req->group = kGroup;
    out.requirements.push_back(std::move(*req));
  } else {
    out.warnings.push_back(where.str() + ": " + why);
  }
}

// build.run: a command as a string, or {command: "...", mounts: [...]}.
void add_run(const YAML::Node& cmd, const std::string& file, RepoFacts& out) {
  YAML::Node text = cmd.IsMap() ? cmd["command"] : cmd;
  if (!text || !text.IsScalar()) return;
  scan_install_commands(text.Scalar(), Source{file, cmd.Mark().line + 1}, out, kGroup, "dockerfile-url");
}

}  // namespace

void parse_cog_yaml(std::string_view text, const std::string& file, const FileReader& read, RepoFacts& out) {
  auto loaded = load_yaml(text, file, out);
  if (!loaded) return;
  YAML::Node doc = *loaded;
  if (!doc.IsMap() || !doc["build"] || !doc["build"].IsMap()) return;  // a predictor only: no image described
  if (std::find(out.manifests.begin(), out.manifests.end(), file) == out.manifests.end()) out.manifests.push_back(file);
  auto where = [&](const YAML::Node& n) { return Source{file, n.Mark().line + 1}; };
  try {
    const YAML::Node build = doc["build"];
    if (auto python = build["python_version"]; python && python.IsScalar()) {
      std::string v(trim(python.Scalar()));
      if (Version::parse(v)) out.hints.push_back(VersionHint{"python", "==" + v + ".*", false, "python_version: " + v, where(python)});
    }
    if (auto cuda = build["cuda"]; cuda && cuda.IsScalar()) {
      std::string v(trim(cuda.Scalar()));
      if (Version::parse(v)) out.hints.push_back(VersionHint{"cuda", "==" + v + ".*", false, "cuda: " + v, where(cuda)});
    }
    if (auto packages = build["python_packages"]; packages && packages.IsSequence()) {
      for (const auto& p : packages) {
        if (p.IsScalar()) add_package(p.Scalar(), where(p), out);
      }
    }
    // Newer Cog names a requirements file instead, relative to cog.yaml.
    if (auto reqs = build["python_requirements"]; reqs && reqs.IsScalar()) {
      std::string dir = file.find('/') == std::string::npos ? "" : file.substr(0, file.find_last_of('/') + 1);
      std::string target = dir + std::string(trim(reqs.Scalar()));
      bool read_already = std::find(out.manifests.begin(), out.manifests.end(), target) != out.manifests.end();
      if (read_already) {
        // The repository's requirements.txt, read as its main requirements: the same pins.
      } else if (auto body = read(target)) {
        parse_requirements(*body, target, read, out, kGroup);
        if (std::find(out.manifests.begin(), out.manifests.end(), target) == out.manifests.end()) out.manifests.push_back(target);
      } else {
        out.warnings.push_back(where(reqs).str() + ": python_requirements " + target + " cannot be read");
      }
    }
    if (auto run = build["run"]; run && run.IsSequence()) {
      for (const auto& cmd : run) add_run(cmd, file, out);
    }
  } catch (const YAML::Exception& e) {
    out.warnings.push_back(file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace dlc::inspect
