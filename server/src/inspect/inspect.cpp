#include "inspect/inspect.h"

#include <dirent.h>
#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "inspect/parsers.h"
#include "inspect/repo.h"
#include "inspect/text.h"
#include "support/error.h"

namespace dlc::inspect {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const std::string& path, std::size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[65536];
  while (out.size() < limit) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, limit - out.size()));
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

// Folders that never hold the project's own manifests or code: tools' caches and installed packages.
bool skipped_dir(std::string_view name) {
  static constexpr std::string_view kSkip[] = {
      "node_modules", "__pycache__", "venv", "site-packages", "dist-packages", "wandb", "mlruns", "lightning_logs",
  };
  if (name.empty()) return true;
  if (name[0] == '.') return name != ".devcontainer" && name != ".docker";
  if (ends_with(name, ".egg-info")) return true;
  return std::find(std::begin(kSkip), std::end(kSkip), name) != std::end(kSkip);
}

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

bool is_dockerfile(std::string_view lower_name) {
  return lower_name == "dockerfile" || starts_with(lower_name, "dockerfile.") || ends_with(lower_name, ".dockerfile");
}

bool is_conda_env(std::string_view lower_name) {
  bool yaml = ends_with(lower_name, ".yml") || ends_with(lower_name, ".yaml");
  return yaml && (starts_with(lower_name, "environment") || starts_with(lower_name, "env") || starts_with(lower_name, "conda"));
}

struct Found {
  std::vector<std::string> requirements_root, requirements_dir, conda, dockerfiles, readmes, setup_py_other;
  std::string pyproject, setup_py, setup_cfg, python_version;
};

class Walker {
 public:
  Walker(const fs::path& root, const InspectOptions& options, RepoFacts& facts)
      : root_(root.string()), options_(options), facts_(facts) {
    git_repository* repo = nullptr;
    if (git_repository_open_ext(&repo, root_.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0) repo_.reset(repo);
  }

  void walk() {
    std::vector<std::string> stack{""};
    while (!stack.empty()) {
      std::string rel = std::move(stack.back());
      stack.pop_back();
      std::string dir_path = rel.empty() ? root_ : root_ + "/" + rel;
      DIR* dir = ::opendir(dir_path.c_str());
      if (!dir) continue;
      int depth = rel.empty() ? 0 : static_cast<int>(std::count(rel.begin(), rel.end(), '/')) + 1;
      while (dirent* e = ::readdir(dir)) {
        std::string_view name = e->d_name;
        if (name == "." || name == "..") continue;
        if (++facts_.files_seen > options_.max_entries) {
          facts_.warnings.push_back("stopped after " + std::to_string(options_.max_entries) +
                                    " files; the rest of the repository was not read");
          ::closedir(dir);
          return;
        }
        std::string child = rel.empty() ? std::string(name) : rel + "/" + std::string(name);
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN) {
          struct stat st {};
          if (::lstat((root_ + "/" + child).c_str(), &st) != 0) continue;
          type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
        }
        if (type == DT_DIR) {
          if (skipped_dir(name) || ignored_dir(child)) continue;
          stack.push_back(std::move(child));
        } else if (type == DT_REG) {
          classify(child, name, rel, depth);
        }
      }
      ::closedir(dir);
    }
  }

  Found found;

  // Reads .py sources for imports as they are found, so that a large repository is read in one pass.
  void scan_source(const std::string& rel) {
    if (auto text = read_file(root_ + "/" + rel, options_.max_source_bytes)) scan_imports(*text, rel, facts_);
  }

 private:
  bool ignored_dir(const std::string& rel) {
    if (!repo_) return false;
    int ignored = 0;
    return git_ignore_path_is_ignored(&ignored, repo_.get(), (rel + "/").c_str()) == 0 && ignored;
  }

  void classify(const std::string& rel, std::string_view name, const std::string& dir, int depth) {
    std::string lower = to_lower(name);
    if (ends_with(lower, ".py") || ends_with(lower, ".ipynb")) {
      scan_source(rel);
      if (lower == "setup.py") {
        if (depth == 0) found.setup_py = rel;
        else if (depth <= 4) found.setup_py_other.push_back(rel);
      }
      return;
    }
    if (ends_with(lower, ".cu") || ends_with(lower, ".cuh")) {
      if (cuda_sources_ < options_.max_cuda_sources) facts_.cuda_code.push_back(CudaCode{"cu-source", Source{rel, 0}});
      ++cuda_sources_;
      return;
    }
    std::string top = dir.substr(0, dir.find('/'));
    std::string top_lower = to_lower(top);
    if (depth == 0) {
      if (starts_with(lower, "requirements") && (ends_with(lower, ".txt") || ends_with(lower, ".in"))) {
        found.requirements_root.push_back(rel);
      } else if (is_conda_env(lower)) {
        found.conda.push_back(rel);
      } else if (lower == "pyproject.toml") {
        found.pyproject = rel;
      } else if (lower == "setup.cfg") {
        found.setup_cfg = rel;
      } else if (is_dockerfile(lower)) {
        found.dockerfiles.push_back(rel);
      } else if (starts_with(lower, "readme") || starts_with(lower, "install")) {
        found.readmes.push_back(rel);
      } else if (lower == ".python-version") {
        found.python_version = rel;
      } else if (lower == ".devcontainer.json" && !facts_.devcontainer) {
        facts_.devcontainer = Source{rel, 0};
      }
      return;
    }
    if (depth != 1) return;
    if ((top_lower == "requirements" || top_lower == "requirements.d") && (ends_with(lower, ".txt") || ends_with(lower, ".in"))) {
      found.requirements_dir.push_back(rel);
    } else if ((top_lower == "env" || top_lower == "envs" || top_lower == "conda" || top_lower == "environment" ||
                top_lower == "environments") && (ends_with(lower, ".yml") || ends_with(lower, ".yaml"))) {
      found.conda.push_back(rel);
    } else if ((top_lower == "docker" || top_lower == ".docker") && is_dockerfile(lower)) {
      found.dockerfiles.push_back(rel);
    } else if (top_lower == "docs" && (starts_with(lower, "install") || starts_with(lower, "get_started") ||
                                       starts_with(lower, "getting_started"))) {
      found.readmes.push_back(rel);
    } else if (top_lower == ".devcontainer" && lower == "devcontainer.json") {
      facts_.devcontainer = Source{rel, 0};
    }
  }

  struct RepoFree {
    void operator()(git_repository* r) const { git_repository_free(r); }
  };

  std::string root_;
  const InspectOptions& options_;
  RepoFacts& facts_;
  std::unique_ptr<git_repository, RepoFree> repo_;
  std::size_t cuda_sources_ = 0;
};

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
  if (auto git = git_info(root)) {
    facts.commit = git->commit;
    facts.commit_date = git->date;
    facts.origin_url = git->origin;
  }
  Walker walker(root, options, facts);
  walker.walk();
  Found& f = walker.found;
  std::string base = root.string() + "/";
  auto read = [&](const std::string& rel) { return read_file(base + rel, options.max_manifest_bytes); };
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
  std::sort(f.dockerfiles.begin(), f.dockerfiles.end());
  for (const auto& rel : f.dockerfiles) {
    if (auto text = read(rel)) parse_dockerfile(*text, rel, facts);
  }
  std::sort(f.readmes.begin(), f.readmes.end());
  for (const auto& rel : f.readmes) {
    if (auto text = read(rel)) parse_readme(*text, rel, facts);
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
