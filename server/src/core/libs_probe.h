// What the container's Python imports from, as the libraries mirror needs it: its sys.path entries
// (asked of the Python itself, in the container), which of them are the standard library, installed
// packages or the workspace, and a stamp that changes when packages are installed or removed.
// Pure pieces apart from the one exec, so that they are tested without an engine.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dlc::core {

// The Python program run in the container: `python -c <script> facts` prints LibsFacts as JSON;
// `python -c <script> sizes ROOT... -- EXCLUDED...` prints {ROOT: [files, bytes]} of the source and
// stub files under each root, not descending into EXCLUDED folders. Python 2.7 and 3.x alike.
extern const char* const kLibsProbeScript;

struct LibsFacts {
  struct Entry {
    std::string path;   // as sys.path lists it
    std::string real;   // os.path.realpath of it
    std::string type;   // dir | file | missing
    std::string stamp;  // dir: a hash of its listing (names, and *-info folders' times)
  };
  std::string version;     // "3.11.2"
  std::string executable;  // sys.executable, resolved
  std::vector<std::string> stdlib;  // the standard library's folders, resolved
  std::vector<Entry> entries;
};
// Error{CommandFailed} when the probe's output is not what it prints (bounded: 1 MiB, 10,000 entries).
LibsFacts parse_libs_facts(const std::string& output);

// A sys.path entry as the host's tools see it.
struct LibsPath {
  std::string container;  // the entry, as the container's Python lists it
  std::string real;       // where it really is in the container
  std::string kind;       // stdlib | packages | workspace
  std::string host;       // mirrored: its copy under the mirror; workspace: the host folder
};
void to_json(nlohmann::json& j, const LibsPath& p);

struct LibsClassified {
  std::vector<LibsPath> paths;     // in sys.path order, each real folder once; host not set yet
  std::vector<std::string> notes;  // entries left out, and why
};
// Sorts the entries: the working folder ("") is left out; a folder in the workspace (container folder
// -> host folder, each pair in `workspace`) is mapped to the host, never mirrored; a file (a zip or
// egg) or a missing path is left out; a folder in the standard library is stdlib; the rest packages.
LibsClassified classify_libs(const LibsFacts& facts, const std::vector<std::pair<std::string, std::string>>& workspace);

// One stamp of everything a mirror holds: the interpreter, the entries and each folder's listing.
std::string libs_stamp(const LibsFacts& facts, const LibsClassified& classified);

// Whether path is folder or inside it ('/'-separated, absolute).
bool path_within(const std::string& path, const std::string& folder);

// "512MiB", "2GiB", "1G", "300M", "1048576" -> bytes; nullopt for anything else (or 0).
std::optional<std::uint64_t> parse_size(const std::string& text);
// 73400320 -> "70 MiB".
std::string format_size(std::uint64_t bytes);

}  // namespace dlc::core
