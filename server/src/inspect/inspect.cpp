#include "inspect/inspect.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "inspect/parsers.h"
#include "inspect/repo.h"
#include "inspect/text.h"
#include "inspect/stamp.h"
#include "support/error.h"
#include "support/files.h"
#include "support/hash.h"

namespace dlc::inspect {

namespace fs = std::filesystem;

namespace {

// The root .gitignore (and .git/info/exclude), for folders: enough to skip datasets, checkpoints and
// outputs without loading libgit2 on the walk. Nested .gitignore files are not read.
class GitIgnore {
 public:
  void load(std::string_view text) {
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

  bool ignored_dir(const std::string& rel, std::string_view name) const {
    bool ignored = false;
    std::string base(name);
    for (const auto& r : rules_) {
      bool match = r.anchored ? ::fnmatch(r.pattern.c_str(), rel.c_str(), FNM_PATHNAME) == 0
                              : ::fnmatch(r.pattern.c_str(), base.c_str(), 0) == 0;
      if (match) ignored = !r.negate;  // the last matching rule decides, as in git
    }
    return ignored;
  }

  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string pattern;
    bool negate = false, dir_only = false, anchored = false;
  };
  std::vector<Rule> rules_;
};

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

// A .py or .ipynb file, read for imports after the walk; its stamp when the walk took it.
struct SourceFile {
  std::string rel;
  Stamp stamp;
};

// What each source file imports (of the modules that matter here), remembered by its stat: a
// text file per repository, "<stamp>\t<path>\t<module@line ...>" per line, sorted by path, rewritten
// whole (into a new file, so that the mapping of the old one stays as it was). Rows are views into
// the mapped file, found by binary search.
class ImportCache {
 public:
  ImportCache(const fs::path& dir, const std::string& root) {
    if (dir.empty()) return;
    file_ = dir / (sha256_hex(root).substr(0, 16) + ".imports");
    mapped_ = MappedFile::open(file_.string());
    if (!mapped_) return;
    std::string_view text = mapped_->text();
    rows_.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
    bool first = true, sorted = true;
    for_each_line(text, [&](std::string_view line) {
      if (first) {
        first = false;
        valid_ = line == header();
        return;
      }
      if (!valid_) return;
      auto t1 = line.find('\t'), t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
      if (t2 == std::string_view::npos) return;
      Row row{line.substr(t1 + 1, t2 - t1 - 1), line.substr(0, t1), line.substr(t2 + 1)};
      if (!rows_.empty() && !(rows_.back().path < row.path)) sorted = false;
      rows_.push_back(row);
    });
    if (!valid_) rows_.clear();
    if (!sorted) std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return a.path < b.path; });
  }

  bool enabled() const { return !file_.empty(); }
  std::size_t size() const { return rows_.size(); }

  // The entries remembered for rel when its stamp is unchanged.
  std::optional<std::string_view> find(std::string_view rel, const Stamp& stamp) const {
    if (!stamp.valid) return std::nullopt;
    auto it = std::lower_bound(rows_.begin(), rows_.end(), rel, [](const Row& r, std::string_view p) { return r.path < p; });
    char buf[128];
    if (it == rows_.end() || it->path != rel || it->stamp != stamp.text(buf)) return std::nullopt;
    return it->entries;
  }

  static std::string entries_of(const RepoFacts& f) {
    std::string out;
    for (const auto& n : f.system_needs) out += (out.empty() ? "" : " ") + n.module + "@" + std::to_string(n.source.line);
    for (const auto& c : f.cuda_code) {
      if (c.kind == "jit-load") out += (out.empty() ? "" : " ") + std::string("!jit@") + std::to_string(c.source.line);
    }
    return out;
  }

  // files sorted; one without a stamp (gone, or not a regular file) is left out.
  void save(const std::deque<SourceFile>& files, const std::vector<std::string_view>& entries) const {
    std::string text = header() + "\n";
    char buf[128];
    for (std::size_t k = 0; k < files.size(); ++k) {
      const auto& [rel, stamp] = files[k];
      if (!stamp.valid || rel.find_first_of("\t\n") != std::string::npos) continue;
      text.append(stamp.text(buf)).append("\t").append(rel).append("\t").append(entries[k]).append("\n");
    }
    // A cache that cannot be written is only slower next time.
    std::error_code ec;
    fs::create_directories(file_.parent_path(), ec);
    write_file_atomically(file_.string(), text, 0600);
  }

 private:
  // Bumped when what scan_imports finds changes, so that old entries are not trusted.
  static std::string header() { return "dlcontainer-imports 1"; }

  struct Row {
    std::string_view path, stamp, entries;
  };
  fs::path file_;
  std::optional<MappedFile> mapped_;  // the file as it was read; rows are views into it
  bool valid_ = false;
  std::vector<Row> rows_;
};

// What a walk finds; each thread of the walk has its own, merged into one after.
struct Found {
  std::vector<std::string> requirements_root, requirements_dir, conda, dockerfiles, readmes, setup_py_other;
  std::string pyproject, setup_py, setup_cfg, python_version;
  // A deque: it grows without moving what it holds (thousands of files; each page touched once).
  std::deque<SourceFile> sources;
  std::vector<std::string> cu_sources;                   // .cu and .cuh files
  std::string devcontainer_file, dot_devcontainer_file;  // .devcontainer/devcontainer.json, .devcontainer.json

  void merge(Found&& o) {
    for (auto [to, from] : {std::pair{&requirements_root, &o.requirements_root}, {&requirements_dir, &o.requirements_dir},
                            {&conda, &o.conda}, {&dockerfiles, &o.dockerfiles}, {&readmes, &o.readmes},
                            {&setup_py_other, &o.setup_py_other}, {&cu_sources, &o.cu_sources}}) {
      to->insert(to->end(), std::make_move_iterator(from->begin()), std::make_move_iterator(from->end()));
    }
    for (auto [to, from] : {std::pair{&pyproject, &o.pyproject}, {&setup_py, &o.setup_py}, {&setup_cfg, &o.setup_cfg},
                            {&python_version, &o.python_version}, {&devcontainer_file, &o.devcontainer_file},
                            {&dot_devcontainer_file, &o.dot_devcontainer_file}}) {
      if (to->empty()) *to = std::move(*from);
    }
    sources.insert(sources.end(), std::make_move_iterator(o.sources.begin()), std::make_move_iterator(o.sources.end()));
  }
};

class Walker {
 public:
  Walker(const fs::path& root, const InspectOptions& options, RepoFacts& facts)
      : root_(root.string()), options_(options), facts_(facts) {
    struct stat st {};
    if (::stat((root_ + "/.git").c_str(), &st) == 0) {
      if (auto text = read_file(root_ + "/.gitignore", 1 << 20, false)) ignore_.load(*text);
      if (auto text = read_file(root_ + "/.git/info/exclude", 1 << 20, false)) ignore_.load(*text);
    }
  }

  // Folders are shared out among threads: the walk is mostly system calls (a folder's entries, a
  // stat of each source file), and on two cores it takes half the time. Each thread keeps what it
  // finds in its own Found; they are merged, then sorted where order shows, so that the facts do not
  // depend on which thread read what.
  void walk() {
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

  Found found;

  // Reads the sources for imports on every core: on a large repository this is most of the work.
  // Each file gives its imports as the cache writes them ("cv2@3 !jit@9"); they are merged in path
  // order, so the first import of each module is the one recorded whatever the timing, and only then
  // do they become facts. With a cache, a file whose stat is unchanged is not read again.
  void scan_sources() {
    // Sorted, so that merging follows path order.
    std::sort(found.sources.begin(), found.sources.end(), [](const SourceFile& a, const SourceFile& b) { return a.rel < b.rel; });
    ImportCache cache(options_.cache_dir, root_);
    std::vector<std::string_view> entries(found.sources.size());  // into the cache's text, or into scanned
    unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    if (found.sources.size() < 64) n = 1;
    std::vector<std::deque<std::string>> scanned(n);  // entries of the files each thread read
    std::atomic<std::size_t> next{0};
    std::atomic<bool> changed{cache.size() != found.sources.size()};
    auto work = [&](unsigned t) {
      RepoFacts scratch;
      for (std::size_t k; (k = next.fetch_add(1)) < found.sources.size();) {
        if (options_.cancel.cancelled()) break;
        auto& [rel, stamp] = found.sources[k];
        std::string full = root_ + "/" + rel;
        if (cache.enabled() && !stamp.valid) stamp = Stamp::of(full);
        if (auto hit = cache.find(rel, stamp)) {
          entries[k] = *hit;
          continue;
        }
        if (auto text = read_file(full, options_.max_source_bytes, false)) scan_imports(*text, rel, scratch);
        if (!scratch.system_needs.empty() || !scratch.cuda_code.empty()) entries[k] = scanned[t].emplace_back(ImportCache::entries_of(scratch));
        scratch.system_needs.clear();
        scratch.cuda_code.clear();
        changed = true;
      }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 1; t < n; ++t) threads.emplace_back(work, t);
    work(0);
    for (auto& t : threads) t.join();
    options_.cancel.throw_if_cancelled();  // before the cache keeps a partial scan
    if (cache.enabled() && changed) cache.save(found.sources, entries);
    for (std::size_t k = 0; k < found.sources.size(); ++k) {
      for (auto item : split(entries[k], ' ')) {
        auto at = item.rfind('@');
        if (at == std::string_view::npos) continue;
        std::string_view module = item.substr(0, at);
        auto line = [&] { return std::atoi(std::string(item.substr(at + 1)).c_str()); };
        if (module == "!jit") {
          bool seen = std::any_of(facts_.cuda_code.begin(), facts_.cuda_code.end(), [](const CudaCode& x) { return x.kind == "jit-load"; });
          if (!seen) facts_.cuda_code.push_back(CudaCode{"jit-load", Source{found.sources[k].rel, line()}});
          continue;
        }
        bool seen = std::any_of(facts_.system_needs.begin(), facts_.system_needs.end(), [&](const SystemNeed& x) { return x.module == module; });
        if (seen) continue;
        if (auto need = system_need(module, Source{found.sources[k].rel, line()})) facts_.system_needs.push_back(std::move(*need));
      }
    }
  }

 private:
  bool ignored_dir(const std::string& rel, std::string_view name) const { return !ignore_.empty() && ignore_.ignored_dir(rel, name); }

  // One folder's entries: its files into part, its folders to read next into children.
  void read_folder(const std::string& rel, Found& part, std::vector<std::string>& children) {
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

  static void classify(Found& found, const std::string& rel, std::string_view name, const std::string& dir, int depth) {

    std::string lower = to_lower(name);
    if (ends_with(lower, ".py") || ends_with(lower, ".ipynb")) {
      found.sources.push_back(SourceFile{rel, {}});
      if (lower == "setup.py") {
        if (depth == 0) found.setup_py = rel;
        else if (depth <= 4) found.setup_py_other.push_back(rel);
      }
      return;
    }
    if (ends_with(lower, ".cu") || ends_with(lower, ".cuh")) {
      found.cu_sources.push_back(rel);
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
      } else if (lower == ".devcontainer.json") {
        found.dot_devcontainer_file = rel;
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
      found.devcontainer_file = rel;
    }
  }

  std::string root_;
  const InspectOptions& options_;
  RepoFacts& facts_;
  GitIgnore ignore_;
  std::atomic<std::size_t> seen_{0};  // entries seen by all threads of the walk
  std::atomic<bool> stop_{false};     // too many entries, or cancelled
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
