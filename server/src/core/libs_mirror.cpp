#include "core/libs_mirror.h"

#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>

#include "config/jsonc.h"
#include "core/ide_container.h"
#include "core/libs_tree.h"
#include "support/error.h"
#include "support/files.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kManifestVersion = 1;

// What a mirror holds, in its mirror.json.
struct Manifest {
  std::string image_id, executable, version, stamp, created;
  std::string engine;              // the URL of the engine whose image it mirrors ("" in older mirrors)
  std::vector<std::string> roots;  // the container folders copied
  std::uint64_t files = 0, bytes = 0, needed_bytes = 0, max_bytes = 0, links_left_out = 0;
  bool partial = false;
};

json manifest_json(const Manifest& m) {
  return {{"version", kManifestVersion}, {"imageId", m.image_id}, {"executable", m.executable}, {"pythonVersion", m.version}, {"engine", m.engine},
          {"stamp", m.stamp},            {"created", m.created},  {"roots", m.roots},           {"files", m.files},
          {"bytes", m.bytes},            {"neededBytes", m.needed_bytes}, {"maxBytes", m.max_bytes},
          {"linksLeftOut", m.links_left_out}, {"partial", m.partial}};
}

// A manifest of another version, or one that does not parse, is no mirror: it is made again.
std::optional<Manifest> read_manifest(const fs::path& folder) {
  auto text = read_file((folder / "mirror.json").string(), 1 << 20);
  if (!text) return std::nullopt;
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object() || j.value("version", 0) != kManifestVersion) return std::nullopt;
  try {
    Manifest m;
    m.image_id = j.at("imageId"), m.executable = j.at("executable"), m.version = j.value("pythonVersion", "");
    m.stamp = j.at("stamp"), m.created = j.value("created", ""), m.engine = j.value("engine", "");
    m.roots = j.at("roots").get<std::vector<std::string>>();
    m.files = j.at("files"), m.bytes = j.at("bytes"), m.needed_bytes = j.value("neededBytes", std::uint64_t{0});
    m.max_bytes = j.at("maxBytes"), m.links_left_out = j.value("linksLeftOut", std::uint64_t{0});
    m.partial = j.at("partial");
    return m;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string short_image_id(const std::string& image_id) {
  std::string id = image_id.starts_with("sha256:") ? image_id.substr(7) : image_id;
  id = id.substr(0, 12);
  if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) {
    throw Error(ErrorCode::Internal, "the container's image has no usable id (\"" + image_id + "\")");
  }
  return id;
}

// The lock that lets one process at a time decide about (and make) an image's mirror.
class MirrorLock {
 public:
  // wait = false: held() says whether it was free (a mirror being built is not pruned under it).
  explicit MirrorLock(const fs::path& file, bool wait = true) {
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (!wait) {
      if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) ::close(fd_), fd_ = -1;
      return;
    }
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw Error(ErrorCode::Internal, "cannot lock " + file.string() + ": " + std::strerror(errno),
                  "check the permissions of $XDG_CACHE_HOME/dlcontainer/libs");
    }
  }
  ~MirrorLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  MirrorLock(const MirrorLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Collected run_python(const engine::Engine& engine, const LibsTarget& t, std::vector<std::string> args, const CancelToken& cancel) {
  std::vector<std::string> cmd{t.python, "-c", kLibsProbeScript};
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto r = run_collected(engine, t.container_id,
                         engine::ExecSpec{.cmd = cmd, .env = t.env, .user = t.user, .working_dir = t.working_dir}, cancel);
  if (r.status != 0) {
    throw Error(ErrorCode::CommandFailed,
                "`" + t.python + "` could not list what it imports from (exit status " + std::to_string(r.status) + ")" +
                    (r.err.empty() ? "" : ": " + r.err.substr(0, 400)),
                "check the container's Python; `dlcontainer interpreter --no-libs` sets up the interpreter without the mirror");
  }
  return r;
}

// The folders to copy, packages before the standard library (what the host lacks most comes first
// under the cap; pyright has its own stubs of the standard library), and what each must pass over.
struct Root {
  std::string path;
  std::vector<std::string> excluded;
};
std::vector<Root> roots_of(const LibsClassified& c, const LibsTarget& t) {
  std::vector<Root> roots;
  for (const char* kind : {"packages", "stdlib"}) {
    for (const auto& p : c.paths)
      if (p.kind == kind) roots.push_back({p.real, {}});
  }
  for (auto& r : roots) {
    // Another root inside this one is copied on its own; the workspace never is.
    for (const auto& other : roots)
      if (other.path != r.path && path_within(other.path, r.path)) r.excluded.push_back(other.path);
    for (const auto& [folder, host] : t.workspace)
      if (path_within(folder, r.path)) r.excluded.push_back(folder);
  }
  return roots;
}

Manifest build_mirror(const engine::Engine& engine, const LibsTarget& t, const LibsFacts& facts, const LibsClassified& c,
                      const std::string& stamp, std::uint64_t max_bytes, const fs::path& target, ProgressSink& progress,
                      const CancelToken& cancel) {
  auto roots = roots_of(c, t);
  Manifest m{.image_id = t.image_id, .executable = facts.executable, .version = facts.version, .stamp = stamp,
             .created = now_utc(), .engine = engine.endpoint().url(), .max_bytes = max_bytes};
  progress.begin("Copying the container's Python libraries (source and stubs) for the editor");
  std::vector<std::string> args{"sizes"};
  for (const auto& r : roots) args.push_back(r.path);
  args.push_back("--");
  for (const auto& r : roots) args.insert(args.end(), r.excluded.begin(), r.excluded.end());
  json sizes = json::parse(run_python(engine, t, args, cancel).out, nullptr, false);
  for (const auto& r : roots) {
    if (sizes.is_object() && sizes.contains(r.path) && sizes[r.path].is_array() && sizes[r.path].size() == 2) {
      m.needed_bytes += sizes[r.path][1].get<std::uint64_t>();
    }
  }

  std::random_device rd;
  fs::path building = target.parent_path() / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(rd() % 100000));
  try {
    fs::create_directories(building / "tree");
    LibsTreeWriter writer(building / "tree", max_bytes);
    std::uint64_t total = std::min(m.needed_bytes, max_bytes);
    writer.on_progress = [&](std::uint64_t files, std::uint64_t bytes) {
      progress.report(std::to_string(files) + " files, " + format_size(bytes) + " of " + format_size(total),
                      total > 0 ? std::optional<int>(static_cast<int>(std::min<std::uint64_t>(99, bytes * 100 / total))) : std::nullopt);
    };
    for (const auto& r : roots) {
      progress.report(r.path);
      // The folder itself, even with no source in it: the settings name it, and a missing folder
      // would read as a broken copy.
      fs::create_directories(building / "tree" / r.path.substr(1));
      engine::read_tar_stream(
          [&](const engine::DataSink& sink, const CancelToken& stop) { engine.get_archive(t.container_id, r.path, sink, stop); },
          writer.visitor(r.path, r.excluded), cancel);
      m.roots.push_back(r.path);
      if (writer.capped()) break;
    }
    m.files = writer.files(), m.bytes = writer.bytes(), m.links_left_out = writer.links_left_out();
    m.partial = writer.capped();
    if (!write_file_atomically((building / "mirror.json").string(), manifest_json(m).dump(2) + "\n", 0444)) {
      throw Error(ErrorCode::Internal, "cannot write " + (building / "mirror.json").string());
    }
    make_read_only(building);
    swap_into_place(building, target);
  } catch (...) {
    remove_tree(building);
    progress.end();
    throw;
  }
  progress.end(std::to_string(m.files) + " files, " + format_size(m.bytes) + (m.partial ? " (partial: the cap)" : ""));
  return m;
}

// Mirrors of images that this engine no longer has (removed, or replaced by a rebuild): each mirror names
// its engine, and only this engine's are judged; another engine's (a remote host's) image may well still
// be there. A mirror whose lock is held is being used or built, and stays. Returns what went, in words.
std::vector<std::string> prune_gone_images(const engine::Engine& engine, const fs::path& dir, const std::string& keep) {
  std::vector<std::string> gone;
  const std::string url = engine.endpoint().url();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string key = e.path().filename().string();
    if (key == keep || key.starts_with(".") || !e.is_directory(ec)) continue;
    auto m = read_manifest(e.path());
    if (!m || m->engine != url || m->image_id.empty()) continue;
    if (engine.inspect_image(m->image_id)) continue;
    MirrorLock lock(dir / (key + ".lock"), false);
    if (!lock.held()) continue;
    remove_tree(e.path());
    fs::remove(dir / (key + ".lock"), ec);
    gone.push_back("removed the mirror of image " + key + " (" + format_size(m->bytes) + "): the image is no longer on " + url);
  }
  return gone;
}

std::string cap_hint(std::uint64_t needed) {
  std::string size = format_size(std::max<std::uint64_t>(needed + (needed >> 3), std::uint64_t{1} << 30));
  size.erase(std::remove(size.begin(), size.end(), ' '), size.end());
  return "raise the cap: `dlcontainer interpreter --libs-max-size " + size + "`, or {\"libs\": {\"maxSize\": \"" + size +
         "\"}} in $XDG_CONFIG_HOME/dlcontainer/config.json (~/.config/dlcontainer/config.json)";
}

}  // namespace

void to_json(json& j, const LibsMirror& m) {
  j = {{"root", m.root},          {"imageId", m.image_id},     {"paths", m.paths},          {"refreshed", m.refreshed},
       {"stale", m.stale},        {"partial", m.partial},      {"files", m.files},          {"bytes", m.bytes},
       {"neededBytes", m.needed_bytes}, {"maxBytes", m.max_bytes}, {"created", m.created}, {"notes", m.notes}};
}

namespace {

// $XDG_CACHE_HOME, $XDG_CONFIG_HOME, or their place under $HOME.
fs::path xdg_base(const char* variable, const char* under_home) {
  if (const char* v = std::getenv(variable); v && *v) return v;
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / under_home;
}

}  // namespace

fs::path libs_cache_dir() { return xdg_base("XDG_CACHE_HOME", ".cache") / "dlcontainer" / "libs"; }

std::optional<std::uint64_t> configured_libs_max_bytes() {
  fs::path file = xdg_base("XDG_CONFIG_HOME", ".config") / "dlcontainer" / "config.json";
  auto text = read_file(file.string(), 1 << 20);
  if (!text) return std::nullopt;
  json doc = config::parse_jsonc(*text, file.string());
  auto libs = doc.find("libs");
  if (libs == doc.end() || libs->is_null()) return std::nullopt;
  auto bad = [&] {
    return Error(ErrorCode::ConfigInvalid, file.string() + ": \"libs.maxSize\" must be a size such as \"2GiB\" or a number of bytes",
                 "write {\"libs\": {\"maxSize\": \"2GiB\"}}");
  };
  if (!libs->is_object()) throw bad();
  auto size = libs->find("maxSize");
  if (size == libs->end() || size->is_null()) return std::nullopt;
  if (size->is_number_unsigned() && size->get<std::uint64_t>() > 0) return size->get<std::uint64_t>();
  if (size->is_string()) {
    if (auto n = parse_size(size->get<std::string>())) return n;
  }
  throw bad();
}

LibsMirror ensure_libs_mirror(const engine::Engine& engine, const LibsTarget& t, const LibsOptions& options, ProgressSink& progress,
                              const CancelToken& cancel) {
  std::uint64_t cap = options.max_bytes ? *options.max_bytes : configured_libs_max_bytes().value_or(kDefaultLibsMaxBytes);
  progress.begin("Asking the container's Python where it imports from");
  LibsFacts facts = parse_libs_facts(run_python(engine, t, {"facts"}, cancel).out);
  progress.end();
  LibsClassified classified = classify_libs(facts, t.workspace);
  std::string stamp = libs_stamp(facts, classified);

  fs::path dir = libs_cache_dir();
  std::string key = short_image_id(t.image_id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::Internal, "cannot make " + dir.string() + ": " + ec.message(), "check $XDG_CACHE_HOME");
  fs::path target = dir / key;
  MirrorLock lock(dir / (key + ".lock"));
  // Under the lock, a half-built folder of this image is a crashed run's: it goes.
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().starts_with("." + key + ".tmp-")) remove_tree(e.path());
  }

  LibsMirror out{.root = target.string(), .image_id = t.image_id, .max_bytes = cap};
  auto manifest = read_manifest(target);
  if (!manifest || options.refresh || manifest->executable != facts.executable || (manifest->partial && cap > manifest->max_bytes)) {
    if (manifest && !options.refresh && manifest->executable != facts.executable) {
      out.notes.push_back("the mirror was made for " + manifest->executable + ", this workspace runs " + facts.executable + ": made again");
    }
    manifest = build_mirror(engine, t, facts, classified, stamp, cap, target, progress, cancel);
    out.refreshed = true;
  }
  const Manifest& m = *manifest;
  auto pruned = prune_gone_images(engine, dir, key);
  out.notes.insert(out.notes.end(), pruned.begin(), pruned.end());
  out.files = m.files, out.bytes = m.bytes, out.needed_bytes = m.needed_bytes, out.max_bytes = m.max_bytes;
  out.partial = m.partial, out.created = m.created;
  out.stale = m.stamp != stamp;
  for (auto p : classified.paths) {
    if (p.kind != "workspace") {
      bool copied = std::any_of(m.roots.begin(), m.roots.end(), [&](const std::string& r) { return path_within(p.real, r); });
      if (!copied) {
        if (!m.partial) out.notes.push_back(p.container + " was not on sys.path when the mirror was made");
        continue;
      }
      p.host = (target / "tree").string() + p.real;
    }
    out.paths.push_back(p);
  }
  out.notes.insert(out.notes.end(), classified.notes.begin(), classified.notes.end());
  if (out.stale) {
    out.notes.insert(out.notes.begin(),
                     "the mirror of the container's libraries is stale: packages changed in the container since " + m.created +
                         " (a pip install?). Run `dlcontainer interpreter --refresh` to copy them again");
  }
  if (m.partial) {
    out.notes.insert(out.notes.begin(),
                     "the mirror is partial: the container's Python libraries need " + format_size(m.needed_bytes) +
                         " of source and stub files, over the cap of " + format_size(m.max_bytes) + "; " + cap_hint(m.needed_bytes));
  }
  if (m.links_left_out > 0) {
    out.notes.push_back(std::to_string(m.links_left_out) + " symbolic link(s) to source files were left out of the mirror");
  }
  return out;
}

}  // namespace dlc::core
