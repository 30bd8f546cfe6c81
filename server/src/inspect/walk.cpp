#include "inspect/walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "inspect/text.h"
#include "support/files.h"

namespace dlc::inspect {

namespace fs = std::filesystem;

namespace {

// The documents that say how to install: README*, INSTALL*, and the "get started" pages that many
// repositories keep beside them (GET_STARTED.md, getting_started.md, getting-started.md), whose
// install commands pin what the README leaves open.
bool install_document(std::string_view lower) {
  for (std::string_view p : {"readme", "install", "get_started", "get-started", "getting_started", "getting-started"}) {
    if (starts_with(lower, p)) return true;
  }
  return false;
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

bool is_dockerfile(std::string_view lower_name) {
  // Dockerfile, Dockerfile.gpu, Dockerfile-cuda11, Dockerfile_mmdet, gpu.Dockerfile.
  return lower_name == "dockerfile" || starts_with(lower_name, "dockerfile.") || starts_with(lower_name, "dockerfile-") ||
         starts_with(lower_name, "dockerfile_") || ends_with(lower_name, ".dockerfile");
}

// First-level folders that hold someone else's code: nothing in them speaks for the repository.
bool foreign(std::string_view top_lower) {
  static constexpr std::string_view kForeign[] = {"third_party", "thirdparty", "third-party", "3rdparty", "vendor", "vendored",
                                                  "external", "externals", "extern", "deps", "submodules"};
  return std::find(std::begin(kForeign), std::end(kForeign), top_lower) != std::end(kForeign);
}

// First-level folders whose manifests are read by other rules (requirements/, env/) or are not the
// code's (docs' build, tests, benchmarks).
bool aside(std::string_view top_lower) {
  static constexpr std::string_view kAside[] = {"docs", "doc", "test", "tests", "benchmarks", "requirements", "requirements.d",
                                                "env", "envs", "conda", "environment", "environments"};
  return std::find(std::begin(kAside), std::end(kAside), top_lower) != std::end(kAside);
}

bool document(std::string_view lower) {
  auto dot = lower.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? std::string_view() : lower.substr(dot);
  return ext.empty() || ext == ".md" || ext == ".rst" || ext == ".txt";
}

bool is_conda_env(std::string_view lower_name) {
  bool yaml = ends_with(lower_name, ".yml") || ends_with(lower_name, ".yaml");
  return yaml && (starts_with(lower_name, "environment") || starts_with(lower_name, "env") || starts_with(lower_name, "conda"));
}

}  // namespace

void GitIgnore::load(std::string_view text) {
  for_each_line(text, [&](std::string_view raw) {
    std::string_view line = trim(raw);
    if (line.empty() || line[0] == '#') return;
    Rule r;
    if (line[0] == '!') {
      r.negate = true;
      line.remove_prefix(1);
    }
    if (line.size() > 1 && line.back() == '/') {
      r.dir_only = true;
      line.remove_suffix(1);
    }
    if (starts_with(line, "**/")) line.remove_prefix(3);
    if (ends_with(line, "/**")) line.remove_suffix(3);
    if (starts_with(line, "/")) {
      r.anchored = true;
      line.remove_prefix(1);
    }
    if (line.empty()) return;
    r.anchored = r.anchored || line.find('/') != std::string_view::npos;
    r.pattern = std::string(line);
    rules_.push_back(std::move(r));
  });
}

bool GitIgnore::ignored_dir(const std::string& rel, std::string_view name) const {
  bool ignored = false;
  std::string base(name);
  for (const auto& r : rules_) {
    bool match = r.anchored ? ::fnmatch(r.pattern.c_str(), rel.c_str(), FNM_PATHNAME) == 0
                            : ::fnmatch(r.pattern.c_str(), base.c_str(), 0) == 0;
    if (match) ignored = !r.negate;  // the last matching rule decides, as in git
  }
  return ignored;
}

void Found::merge(Found&& o) {
  for (auto [to, from] : {std::pair{&requirements_root, &o.requirements_root}, {&requirements_dir, &o.requirements_dir},
                          {&conda, &o.conda}, {&dockerfiles, &o.dockerfiles}, {&readmes, &o.readmes},
                          {&setup_py_other, &o.setup_py_other}, {&cu_sources, &o.cu_sources},
                          {&folder_manifests, &o.folder_manifests}, {&scripts, &o.scripts}}) {
    to->insert(to->end(), std::make_move_iterator(from->begin()), std::make_move_iterator(from->end()));
  }
  for (auto [to, from] : {std::pair{&pyproject, &o.pyproject}, {&setup_py, &o.setup_py}, {&setup_cfg, &o.setup_cfg},
                          {&python_version, &o.python_version}, {&devcontainer_file, &o.devcontainer_file},
                          {&dot_devcontainer_file, &o.dot_devcontainer_file}, {&cog, &o.cog}}) {
    if (to->empty()) *to = std::move(*from);
  }
  sources.insert(sources.end(), std::make_move_iterator(o.sources.begin()), std::make_move_iterator(o.sources.end()));
}

Walker::Walker(const fs::path& root, const InspectOptions& options, RepoFacts& facts)
    : root_(root.string()), options_(options), facts_(facts) {
  struct stat st {};
  if (::stat((root_ + "/.git").c_str(), &st) == 0) {
    if (auto text = read_file(root_ + "/.gitignore", 1 << 20, false)) ignore_.load(*text);
    if (auto text = read_file(root_ + "/.git/info/exclude", 1 << 20, false)) ignore_.load(*text);
  }
}

void Walker::walk() {
  unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  std::vector<Found> parts(n);
  std::vector<std::string> folders{""};  // to read
  std::size_t reading = 0;                // folders being read
  std::mutex m;
  std::condition_variable cv;
  auto work = [&](Found& part) {
    std::vector<std::string> children;
    for (;;) {
      std::string rel;
      {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return !folders.empty() || reading == 0 || stop_; });
        if (folders.empty() || stop_) return;  // all read (none left, none being read), or stopped
        rel = std::move(folders.back());
        folders.pop_back();
        ++reading;
      }
      read_folder(rel, part, children);
      {
        std::lock_guard lock(m);
        for (auto& c : children) folders.push_back(std::move(c));
        --reading;
      }
      children.clear();
      cv.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(work, std::ref(parts[t]));
  work(parts[0]);
  for (auto& t : threads) t.join();
  options_.cancel.throw_if_cancelled();
  facts_.files_seen = std::min<std::size_t>(seen_, options_.max_entries);
  if (seen_ > options_.max_entries) {
    facts_.warnings.push_back("stopped after " + std::to_string(options_.max_entries) +
                              " files; the rest of the repository was not read");
  }
  for (auto& part : parts) found.merge(std::move(part));
  std::sort(found.setup_py_other.begin(), found.setup_py_other.end());
  std::sort(found.cu_sources.begin(), found.cu_sources.end());
  for (std::size_t k = 0; k < found.cu_sources.size() && k < options_.max_cuda_sources; ++k) {
    facts_.cuda_code.push_back(CudaCode{"cu-source", Source{found.cu_sources[k], 0}});
  }
  // .devcontainer/devcontainer.json before .devcontainer.json, as the spec looks for them.
  if (!found.devcontainer_file.empty()) facts_.devcontainer = Source{found.devcontainer_file, 0};
  else if (!found.dot_devcontainer_file.empty()) facts_.devcontainer = Source{found.dot_devcontainer_file, 0};
}

void Walker::read_folder(const std::string& rel, Found& part, std::vector<std::string>& children) {
  std::string dir_path = rel.empty() ? root_ : root_ + "/" + rel;
  DIR* dir = ::opendir(dir_path.c_str());
  if (!dir) return;
  int depth = rel.empty() ? 0 : static_cast<int>(std::count(rel.begin(), rel.end(), '/')) + 1;
  while (dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (++seen_ > options_.max_entries || options_.cancel.cancelled()) {
      stop_ = true;
      break;
    }
    std::string child = rel.empty() ? std::string(name) : rel + "/" + std::string(name);
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st {};
      if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
    }
    if (type == DT_DIR) {
      if (!skipped_dir(name) && !ignored_dir(child, name)) children.push_back(std::move(child));
    } else if (type == DT_REG) {
      std::size_t before = part.sources.size();
      classify(part, child, name, rel, depth);
      if (part.sources.size() > before && !options_.cache_dir.empty()) {
        // Stat relative to the open folder: no path lookup from the root for each file.
        struct stat st {};
        if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) part.sources.back().stamp = Stamp::of(st);
      }
    }
  }
  ::closedir(dir);
}

void Walker::classify(Found& found, const std::string& rel, std::string_view name, const std::string& dir, int depth) {
  std::string lower = to_lower(name);
  if (ends_with(lower, ".py") || ends_with(lower, ".ipynb")) {
    found.sources.push_back(SourceFile{rel, {}});
    if (lower == "setup.py" && depth == 0) {
      found.setup_py = rel;
    } else if (starts_with(lower, "setup") && ends_with(lower, ".py") && depth <= 4) {
      found.setup_py_other.push_back(rel);  // an op's setup.py, setup_linux.py, setup_cuda.py: what they build
    }
    return;
  }
  // TensorFlow's custom ops name their CUDA sources *.cu.cc.
  if (ends_with(lower, ".cu") || ends_with(lower, ".cuh") || ends_with(lower, ".cu.cc")) {
    found.cu_sources.push_back(rel);
    found.sources.push_back(SourceFile{rel, {}});
    return;
  }
  if (ends_with(lower, ".cpp") || ends_with(lower, ".cc") || ends_with(lower, ".cxx")) {
    found.sources.push_back(SourceFile{rel, {}});
    return;
  }
  if (ends_with(lower, ".sh") && depth <= 2) {
    found.scripts.push_back(rel);
    return;
  }
  if (is_dockerfile(lower)) {
    // Anywhere near the top (docker/Dockerfile, tools/docker/Dockerfile.gpu): the authors' own build.
    if (depth <= 3) found.dockerfiles.push_back(rel);
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
    } else if (install_document(lower)) {
      found.readmes.push_back(rel);
    } else if (lower == ".python-version") {
      found.python_version = rel;
    } else if (lower == "cog.yaml") {
      found.cog = rel;
    } else if (lower == ".devcontainer.json") {
      found.dot_devcontainer_file = rel;
    }
    return;
  }
  if (depth <= 2 && !foreign(top_lower) && !aside(top_lower) &&
      ((starts_with(lower, "requirements") && ends_with(lower, ".txt")) || lower == "pyproject.toml" ||
       (starts_with(lower, "environment") && (ends_with(lower, ".yml") || ends_with(lower, ".yaml"))))) {
    found.folder_manifests.push_back(rel);
    return;
  }
  if (depth == 1 && top_lower != "docs" && !foreign(top_lower) && install_document(lower) && !starts_with(lower, "readme") && document(lower)) {
    found.readmes.push_back(rel);  // readme/INSTALL.md, doc/INSTALL.md: the install page of a folder of documents
    return;
  }
  if (depth != 1) return;
  if ((top_lower == "requirements" || top_lower == "requirements.d") && (ends_with(lower, ".txt") || ends_with(lower, ".in"))) {
    found.requirements_dir.push_back(rel);
  } else if ((top_lower == "env" || top_lower == "envs" || top_lower == "conda" || top_lower == "environment" ||
              top_lower == "environments") && (ends_with(lower, ".yml") || ends_with(lower, ".yaml"))) {
    found.conda.push_back(rel);
  } else if (top_lower == "docs" && install_document(lower) && !starts_with(lower, "readme")) {
    found.readmes.push_back(rel);
  } else if (top_lower == ".devcontainer" && lower == "devcontainer.json") {
    found.devcontainer_file = rel;
  }
}

}  // namespace dlc::inspect
