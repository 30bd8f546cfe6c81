#include "core/libs_probe.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "support/error.h"
#include "support/hash.h"

namespace dlc::core {

using json = nlohmann::json;

// Kept to what Python 2.7 and 3.x share: the container's Python may be either. The listing stamp
// leaves out __pycache__ and the times of package folders, which change when a module is first
// compiled, and keeps the times of *.dist-info / *.egg-info folders, which pip rewrites.
const char* const kLibsProbeScript = R"PY(
import sys, os, json, hashlib
def b(s):
    return s if isinstance(s, bytes) else s.encode('utf-8', 'replace')
def stamp(d):
    h = hashlib.sha1()
    try:
        names = sorted(os.listdir(d))[:200000]
    except OSError:
        return ''
    for n in names:
        if n == '__pycache__':
            continue
        h.update(b(n))
        if n.endswith('-info'):
            try:
                h.update(b(repr(os.lstat(os.path.join(d, n)).st_mtime)))
            except OSError:
                pass
        h.update(b'\n')
    return h.hexdigest()[:16]
def facts():
    import sysconfig
    paths = sysconfig.get_paths()
    std = [os.path.realpath(paths[k]) for k in ('stdlib', 'platstdlib') if paths.get(k)]
    out = []
    for p in sys.path[:10000]:
        r = os.path.realpath(p) if p else ''
        t = 'dir' if p and os.path.isdir(r) else 'file' if p and os.path.isfile(r) else 'missing'
        out.append({'path': p, 'real': r, 'type': t, 'stamp': stamp(r) if t == 'dir' else ''})
    v = '%d.%d.%d' % tuple(sys.version_info[:3])
    return {'version': v, 'executable': os.path.realpath(sys.executable), 'stdlib': std, 'entries': out}
def sizes(roots, skip):
    skip = set(skip)
    out = {}
    for root in roots:
        files = size = 0
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if os.path.join(d, x) not in skip]
            for n in names:
                if n.endswith('.py') or n.endswith('.pyi') or n == 'py.typed':
                    try:
                        st = os.lstat(os.path.join(d, n))
                    except OSError:
                        continue
                    if (st.st_mode & 0o170000) == 0o100000:
                        files += 1
                        size += st.st_size
            if files > 2000000:
                break
        out[root] = [files, size]
    return out
if sys.argv[1] == 'facts':
    sys.stdout.write(json.dumps(facts()))
else:
    args = sys.argv[2:]
    cut = args.index('--') if '--' in args else len(args)
    sys.stdout.write(json.dumps(sizes(args[:cut], args[cut + 1:])))
)PY";

namespace {

constexpr std::size_t kMaxOutput = 1 << 20;
constexpr std::size_t kMaxEntries = 10000;

std::string string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool path_within(const std::string& path, const std::string& folder) {
  if (folder.empty()) return false;
  if (folder == "/") return !path.empty() && path.front() == '/';
  return path == folder || (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 && path[folder.size()] == '/');
}

LibsFacts parse_libs_facts(const std::string& output) {
  auto fail = [&](const std::string& why) {
    return Error(ErrorCode::CommandFailed, "the container's Python did not say where it imports from: " + why,
                 "run `dlcontainer python -c 'import sys; print(sys.path)'` to see what it says");
  };
  if (output.size() > kMaxOutput) throw fail("its answer is over 1 MiB");
  json j = json::parse(output, nullptr, false);
  if (!j.is_object() || !j.contains("entries") || !j["entries"].is_array()) throw fail("unexpected output: " + output.substr(0, 200));
  if (j["entries"].size() > kMaxEntries) throw fail("over 10,000 sys.path entries");
  LibsFacts f;
  f.version = string_at(j, "version");
  f.executable = string_at(j, "executable");
  if (auto s = j.find("stdlib"); s != j.end() && s->is_array()) {
    for (const auto& p : *s)
      if (p.is_string() && !p.get<std::string>().empty()) f.stdlib.push_back(p.get<std::string>());
  }
  for (const auto& e : j["entries"]) {
    if (!e.is_object()) throw fail("an entry that is not an object");
    f.entries.push_back({string_at(e, "path"), string_at(e, "real"), string_at(e, "type"), string_at(e, "stamp")});
  }
  return f;
}

void to_json(json& j, const LibsPath& p) {
  j = {{"container", p.container}, {"kind", p.kind}, {"host", p.host}};
}

LibsClassified classify_libs(const LibsFacts& facts, const std::vector<std::pair<std::string, std::string>>& workspace) {
  LibsClassified out;
  std::set<std::string> seen;
  for (const auto& e : facts.entries) {
    if (e.path.empty() || e.real.empty() || e.real.front() != '/') continue;  // the working folder
    if (!seen.insert(e.real).second) continue;
    LibsPath p{.container = e.path, .real = e.real};
    auto ws = std::find_if(workspace.begin(), workspace.end(), [&](const auto& w) { return path_within(e.real, w.first); });
    if (ws != workspace.end()) {
      // The host has these files already: its own copy is the one to read, and it is never mirrored.
      p.kind = "workspace";
      p.host = ws->second + e.real.substr(ws->first == "/" ? 0 : ws->first.size());
      out.paths.push_back(p);
      continue;
    }
    if (e.type == "file") {
      out.notes.push_back(e.path + " is a file (a zip or egg), not a folder: not mirrored");
      continue;
    }
    if (e.type != "dir") continue;  // listed but missing (python311.zip): nothing to see
    bool stdlib = std::any_of(facts.stdlib.begin(), facts.stdlib.end(), [&](const std::string& s) { return path_within(e.real, s); });
    p.kind = stdlib ? "stdlib" : "packages";
    out.paths.push_back(p);
  }
  return out;
}

std::string libs_stamp(const LibsFacts& facts, const LibsClassified& classified) {
  std::string text = facts.executable + "\n";
  for (const auto& p : classified.paths) {
    text += p.kind + " " + p.real;
    if (p.kind != "workspace") {
      for (const auto& e : facts.entries)
        if (e.real == p.real) text += " " + e.stamp;
    }
    text += "\n";
  }
  return sha256_hex(text).substr(0, 16);
}

std::optional<std::uint64_t> parse_size(const std::string& text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (n > (std::uint64_t{1} << 50)) return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(text[i++] - '0');
  }
  if (i == 0) return std::nullopt;
  std::string unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, int> kUnits[] = {{"", 0},    {"B", 0},    {"K", 10},   {"KB", 10}, {"KIB", 10}, {"M", 20},
                                                       {"MB", 20}, {"MIB", 20}, {"G", 30},   {"GB", 30}, {"GIB", 30}, {"T", 40},
                                                       {"TB", 40}, {"TIB", 40}};
  for (const auto& [name, shift] : kUnits) {
    if (unit == name) {
      std::uint64_t bytes = n << shift;
      if (n == 0 || (bytes >> shift) != n) return std::nullopt;
      return bytes;
    }
  }
  return std::nullopt;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{10} << 30)) return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (std::uint64_t{1} << 30)) {
    auto tenths = (bytes * 10) >> 30;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " GiB";
  }
  if (bytes >= (std::uint64_t{1} << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace dlc::core
