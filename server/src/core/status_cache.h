// What the engine said of each workspace, and its list of every workspace container, kept while engine
// events say that nothing changed, so that an editor asking `status` or `list` often costs a map lookup
// instead of round trips to the daemon (a list of a hundred containers is ~10 ms of dockerd's time). The
// engine stays the source of truth: the cache holds entries only while an event subscription is live,
// every event for a workspace's container drops that workspace's entry, and every event drops the list.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/workspace.h"
#include "support/folder_watch.h"
#include "support/json_text.h"

namespace dlc::core {

// A workspace's status as the engine reports it. out_of_date is left out: it depends on the files in the
// workspace, not on the engine (ConfigHashes answers that part).
struct EngineView {
  WorkspaceStatus status;
  std::string config_hash;  // the container's config-hash label; "" when there is no container
  // The status's JSON, rendered once when the cache keeps it (workspace/status answers with it as it
  // is), one for each answer out_of_date can give; empty in a view the cache has not kept.
  JsonText text, text_out_of_date;
};

// The list of every workspace container, and its JSON rendered once for every client that asks
// (workspace/list answers with the text as it is). Shared, never changed once stored: a reader copies
// a pointer under the cache's lock, not a hundred entries.
struct ListView {
  std::vector<WorkspaceStatus> list;
  JsonText text;
};

class StatusCache {
 public:
  // Taken before asking the engine. A store whose ticket an invalidation (or a suspend) overtook is
  // dropped: what was read may predate the change that the event announced.
  struct Ticket {
    std::string folder;
    std::uint64_t epoch = 0;
    std::uint64_t generation = 0;
  };
  Ticket ticket(const std::string& folder) const;
  // Shared, never changed once stored: a reader copies a pointer, not a status.
  std::shared_ptr<const EngineView> find(const std::string& folder) const;
  // Renders the view's texts and keeps it, unless the ticket was overtaken.
  void store(const Ticket& ticket, EngineView view);
  void invalidate(const std::string& folder);

  // The list, kept by the same rules: its ticket is overtaken by any workspace's event.
  Ticket list_ticket() const;
  std::shared_ptr<const ListView> find_list() const;  // null when there is none
  void store_list(const Ticket& ticket, std::shared_ptr<const ListView> list);

  // The subscription's edges. go_live() is called after taking the time the subscription replays
  // from and before it starts; suspend() when it is lost. Both drop every entry.
  void go_live();
  void suspend();
  bool live() const;

 private:
  bool current(const Ticket& ticket) const;  // under mu_: nothing has overtaken it

  mutable std::mutex mu_;
  bool live_ = false;
  std::uint64_t epoch_ = 0;
  std::map<std::string, std::uint64_t> generations_;
  std::map<std::string, std::shared_ptr<const EngineView>> entries_;
  std::uint64_t list_generation_ = 0;  // counts every invalidation
  std::shared_ptr<const ListView> list_;
};

// The config hash of a workspace (its devcontainer.json and Dockerfile), computed again only when a file
// that the last computation read has changed (size, mtime or inode).
class ConfigHashes {
 public:
  struct Computed {
    std::string hash;
    std::vector<std::filesystem::path> files_read;
  };
  // The hash for key, from the last computation while its files are unchanged, else compute()'s.
  // What compute() throws passes through, and nothing is kept.
  std::string get(const std::string& key, const std::function<Computed()>& compute);
  // The files the kept hash for key was computed from, while none of them has changed; nullopt when
  // none is kept for them (a file changed in the last second is hashed each time).
  std::optional<std::vector<std::filesystem::path>> current_files(const std::string& key);

 private:
  struct Stamp {
    bool exists = false;
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  static Stamp stamp_of(const std::filesystem::path& file);
  struct Entry {
    std::string hash;
    std::vector<std::pair<std::filesystem::path, Stamp>> files;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// Statuses answered without touching a file system or the engine, on a thread that must not wait (the
// server's I/O thread): the view the cache keeps, and whether it is out of date, while the cache still
// holds that view and FolderWatch says that nothing it was read from has changed. Keyed by the
// workspace as the client gave it, which must be its canonical folder.
class StatusesAtOnce {
 public:
  struct Entry {
    std::shared_ptr<const EngineView> view;
    bool out_of_date = false;
    FolderWatch::Marks marks;
  };
  // Watches the paths an answer will be read from (before it is read: a worker's call).
  std::optional<FolderWatch::Marks> watch(const std::vector<std::filesystem::path>& paths) { return watch_.watch(paths); }
  void keep(const std::string& workspace, Entry entry);
  // The kept answer's text while it still holds; nullopt otherwise (and it is dropped).
  std::optional<JsonText> find(const std::string& workspace, const StatusCache& cache);

  static constexpr std::size_t kMaxEntries = 4096;  // beyond, all are dropped and kept again as asked

 private:
  FolderWatch watch_;
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace dlc::core
