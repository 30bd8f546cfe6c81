// inspect_repository: the walk, then each manifest it found read by its parser.
#include "inspect/inspect.h"

#include <algorithm>
#include <future>

#include "inspect/parsers.h"
#include "inspect/repo.h"
#include "inspect/text.h"
#include "inspect/walk.h"
#include "support/error.h"
#include "support/files.h"

namespace dlc::inspect {

namespace fs = std::filesystem;

namespace {

// "requirements-dev.txt" -> "dev"; "requirements.txt" -> ""; "requirements/docs.txt" -> "docs".
std::string group_of(std::string_view stem) {
  std::string g = to_lower(stem);
  if (starts_with(g, "requirements")) g = g.substr(12);
  while (!g.empty() && (g[0] == '-' || g[0] == '_' || g[0] == '.')) g.erase(0, 1);
  static constexpr std::string_view kMain[] = {"",     "base",   "main", "runtime", "common",  "prod", "production",
                                               "core", "install", "default", "requirements", "gpu", "cuda"};
  return std::find(std::begin(kMain), std::end(kMain), g) != std::end(kMain) ? "" : g;
}

std::string stem_of(std::string_view name) {
  auto dot = name.rfind('.');
  return std::string(dot == std::string_view::npos ? name : name.substr(0, dot));
}

// A repository whose root names no dependencies (no requirements, environment, pyproject or setup.py
// that lists any) keeps them beside its code: efficientdet/requirements.txt, big_vision/requirements.txt.
// Those one or two folders down are read, shallowest first and at most `limit` of them. One folder's
// are the repository's main requirements; several folders' (a monorepo's projects) are each an
// optional group named by its folder, which can inform the choice but never conflict with each other.
// The READMEs and install documents the walk found, then the install documents a root README sends
// to ("See [Installation](g3doc/setup/installation.md)"), wherever they are: read as the README's own
// words. At most four of those.
template <typename Read>
void read_documents(Found& f, const Read& read, const FileReader& reader, RepoFacts& facts) {
  std::sort(f.readmes.begin(), f.readmes.end());
  std::vector<std::string> linked;
  for (const auto& rel : f.readmes) {
    auto text = read(rel);
    if (!text) continue;
    parse_readme(*text, rel, facts);
    if (rel.find('/') == std::string::npos) {
      for (auto& doc : linked_install_documents(*text)) linked.push_back(std::move(doc));
    }
  }
  std::size_t followed = 0;
  for (const auto& rel : linked) {
    if (followed == 4) break;
    if (std::find(f.readmes.begin(), f.readmes.end(), rel) != f.readmes.end()) continue;
    if (auto text = reader(rel)) {
      parse_readme(*text, rel, facts);
      f.readmes.push_back(rel);
      ++followed;
    }
  }
}

template <typename Read>
void read_folder_manifests(std::vector<std::string> files, const Read& read, const FileReader& reader, std::size_t limit, RepoFacts& facts) {
  bool root_names_some = std::any_of(facts.requirements.begin(), facts.requirements.end(),
                                     [](const Requirement& r) { return r.group.empty() && !r.weak; });
  if (root_names_some || files.empty()) return;
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    auto da = std::count(a.begin(), a.end(), '/'), db = std::count(b.begin(), b.end(), '/');
    return da != db ? da < db : a < b;
  });
  if (files.size() > limit) {
    facts.warnings.push_back("read the first " + std::to_string(limit) + " of " + std::to_string(files.size()) +
                             " manifests in the repository's folders (" + files[limit] + " and later were not read)");
    files.resize(limit);
  }
  auto top = [](const std::string& rel) { return rel.substr(0, rel.find('/')); };
  bool one_folder = std::all_of(files.begin(), files.end(), [&](const std::string& rel) { return top(rel) == top(files.front()); });
  for (const auto& rel : files) {
    auto text = read(rel);
    if (!text) continue;
    std::size_t before = facts.requirements.size();
    std::string name = to_lower(rel.substr(rel.find_last_of('/') + 1));
    if (name == "pyproject.toml") parse_pyproject(*text, rel, facts);
    else if (ends_with(name, ".txt")) parse_requirements(*text, rel, reader, facts, group_of(stem_of(name)));
    else parse_environment_yml(*text, rel, facts, "");
    if (one_folder) continue;
    for (std::size_t k = before; k < facts.requirements.size(); ++k) {
      if (facts.requirements[k].group.empty()) facts.requirements[k].group = top(rel);
    }
  }
}

}  // namespace

RepoFacts inspect_repository(const fs::path& root_in, const InspectOptions& options) {
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(root_in), ec);
  if (ec || !fs::is_directory(root, ec)) {
    throw Error(ErrorCode::PathNotFound, "the repository folder " + root_in.string() + " does not exist",
                "give the path of the repository (or its git URL)");
  }
  RepoFacts facts;
  facts.root = root.string();
  // HEAD's date: remembered beside the import cache, or read with libgit2 while the walk goes on
  // (libgit2's start parses the TLS certificates).
  auto git = std::async(std::launch::async, [&] { return git_info(root, options.cache_dir); });
  Walker walker(root, options, facts);
  walker.walk();
  walker.scan_sources();
  if (auto info = git.get()) {
    facts.commit = info->commit;
    facts.commit_date = info->date;
    facts.origin_url = info->origin;
  }
  Found& f = walker.found;
  std::string base = root.string() + "/";
  auto read = [&](const std::string& rel) { return read_file(base + rel, options.max_manifest_bytes, false); };
  FileReader reader = [&](const std::string& rel) -> std::optional<std::string> {
    if (rel.empty() || rel[0] == '/' || starts_with(rel, "../")) return std::nullopt;  // stays inside the repository
    return read(rel);
  };
  auto already_read = [&](const std::string& rel) {
    return std::find(facts.manifests.begin(), facts.manifests.end(), rel) != facts.manifests.end();
  };

  // Main requirement files first, so that what they pin wins over variants (and -r includes are
  // counted as main before requirements/ is read on its own).
  auto by_main_first = [](std::vector<std::string>& files) {
    std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
      auto ga = group_of(stem_of(a.substr(a.find_last_of('/') + 1))), gb = group_of(stem_of(b.substr(b.find_last_of('/') + 1)));
      if (ga.empty() != gb.empty()) return ga.empty();
      if (ends_with(a, ".txt") != ends_with(b, ".txt")) return ends_with(a, ".txt");  // pip-tools: .txt is compiled from .in
      return a < b;
    });
  };
  by_main_first(f.requirements_root);
  by_main_first(f.requirements_dir);
  bool have_txt_main = false;
  for (const auto& list : {f.requirements_root, f.requirements_dir}) {
    for (const auto& rel : list) {
      if (already_read(rel)) continue;
      std::string name = rel.substr(rel.find_last_of('/') + 1);
      std::string group = group_of(stem_of(name));
      // requirements.in next to its compiled requirements.txt: the .txt is what pip installs.
      if (ends_with(name, ".in") && group.empty() && have_txt_main) group = "pip-tools-input";
      if (ends_with(name, ".txt") && group.empty()) have_txt_main = true;
      if (auto text = read(rel)) parse_requirements(*text, rel, reader, facts, group);
    }
  }
  std::sort(f.conda.begin(), f.conda.end(), [](const std::string& a, const std::string& b) {
    bool ma = to_lower(a).find("environment.y") != std::string::npos, mb = to_lower(b).find("environment.y") != std::string::npos;
    return ma != mb ? ma : a < b;
  });
  for (std::size_t k = 0; k < f.conda.size(); ++k) {
    // The first environment file is the main one; others are variants (environment-cpu.yml).
    std::string group = k == 0 ? "" : stem_of(f.conda[k].substr(f.conda[k].find_last_of('/') + 1));
    if (auto text = read(f.conda[k])) parse_environment_yml(*text, f.conda[k], facts, group);
  }
  if (!f.pyproject.empty()) {
    if (auto text = read(f.pyproject)) parse_pyproject(*text, f.pyproject, facts);
  }
  if (!f.setup_py.empty()) {
    if (auto text = read(f.setup_py)) parse_setup_py(*text, f.setup_py, facts, true);
  }
  for (const auto& rel : f.setup_py_other) {
    if (auto text = read(rel)) parse_setup_py(*text, rel, facts, false);
  }
  if (!f.setup_cfg.empty()) {
    if (auto text = read(f.setup_cfg)) parse_setup_cfg(*text, f.setup_cfg, facts);
  }
  read_folder_manifests(f.folder_manifests, read, reader, options.max_folder_manifests, facts);
  if (!f.cog.empty()) {
    if (auto text = read(f.cog)) parse_cog_yaml(*text, f.cog, reader, facts);
  }
  std::sort(f.dockerfiles.begin(), f.dockerfiles.end());
  for (const auto& rel : f.dockerfiles) {
    if (auto text = read(rel)) parse_dockerfile(*text, rel, facts);
  }
  read_documents(f, read, reader, facts);
  std::sort(f.scripts.begin(), f.scripts.end());
  if (f.scripts.size() > 32) f.scripts.resize(32);  // build scripts are few; a folder of hundreds is not read whole
  for (const auto& rel : f.scripts) {
    if (auto text = read(rel)) scan_build_script(*text, rel, facts);
  }
  if (!f.python_version.empty()) {
    if (auto text = read(f.python_version)) {
      std::string_view v = trim(*text);
      v = v.substr(0, v.find_first_of("\n "));
      if (!v.empty() && std::isdigit(static_cast<unsigned char>(v[0]))) {
        facts.hints.push_back(VersionHint{"python", "==" + std::string(v) + ".*", false, std::string(v), Source{f.python_version, 1}});
      }
    }
  }
  derive_hints(facts);
  return facts;
}

}  // namespace dlc::inspect
