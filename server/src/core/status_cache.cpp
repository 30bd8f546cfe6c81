#include "core/status_cache.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>

namespace dlc::core {

namespace fs = std::filesystem;

StatusCache::Ticket StatusCache::ticket(const std::string& folder) const {
  std::lock_guard lock(mu_);
  auto it = generations_.find(folder);
  return Ticket{folder, epoch_, it == generations_.end() ? 0 : it->second};
}

std::shared_ptr<const EngineView> StatusCache::find(const std::string& folder) const {
  std::lock_guard lock(mu_);
  if (!live_) return nullptr;
  auto it = entries_.find(folder);
  return it == entries_.end() ? nullptr : it->second;
}

bool StatusCache::current(const Ticket& ticket) const {
  if (!live_ || ticket.epoch != epoch_) return false;
  auto it = generations_.find(ticket.folder);
  return (it == generations_.end() ? 0 : it->second) == ticket.generation;
}

void StatusCache::store(const Ticket& ticket, EngineView view) {
  {
    std::lock_guard lock(mu_);
    if (!current(ticket)) return;  // no rendering for a view that would not be kept
  }
  // Rendered outside the lock, once per change, for every request until the next event.
  view.status.out_of_date = false;
  view.text = JsonText::render(nlohmann::json(view.status));
  view.status.out_of_date = true;
  view.text_out_of_date = JsonText::render(nlohmann::json(view.status));
  view.status.out_of_date = false;
  auto kept = std::make_shared<const EngineView>(std::move(view));
  std::lock_guard lock(mu_);
  if (current(ticket)) entries_[ticket.folder] = std::move(kept);
}

void StatusCache::invalidate(const std::string& folder) {
  std::lock_guard lock(mu_);
  ++generations_[folder];
  entries_.erase(folder);
  ++list_generation_;
  list_.reset();
}

StatusCache::Ticket StatusCache::list_ticket() const {
  std::lock_guard lock(mu_);
  return Ticket{"", epoch_, list_generation_};
}

std::shared_ptr<const ListView> StatusCache::find_list() const {
  std::lock_guard lock(mu_);
  if (!live_) return nullptr;
  return list_;
}

void StatusCache::store_list(const Ticket& ticket, std::shared_ptr<const ListView> list) {
  std::lock_guard lock(mu_);
  if (!live_ || ticket.epoch != epoch_ || ticket.generation != list_generation_) return;
  list_ = std::move(list);
}

void StatusCache::go_live() {
  std::lock_guard lock(mu_);
  ++epoch_;
  entries_.clear();
  list_.reset();
  live_ = true;
}

void StatusCache::suspend() {
  std::lock_guard lock(mu_);
  ++epoch_;
  entries_.clear();
  list_.reset();
  live_ = false;
}

bool StatusCache::live() const {
  std::lock_guard lock(mu_);
  return live_;
}

ConfigHashes::Stamp ConfigHashes::stamp_of(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return Stamp{};
  return Stamp{.exists = true,
               .size = static_cast<std::uintmax_t>(st.st_size),
               .mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
               .inode = static_cast<std::uint64_t>(st.st_ino)};
}

std::string ConfigHashes::get(const std::string& key, const std::function<Computed()>& compute) {
  {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      bool same = std::all_of(it->second.files.begin(), it->second.files.end(),
                              [](const auto& f) { return stamp_of(f.first) == f.second; });
      if (same) return it->second.hash;
    }
  }
  // A file changed while (or just before) it was read may be stamped with its new version but hashed
  // with its old one: a hash that read a file modified in the last second is used but not kept.
  auto began_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  Computed c = compute();
  Entry entry{.hash = c.hash, .files = {}};
  for (const auto& f : c.files_read) {
    auto st = stamp_of(f);
    if (st.mtime_ns >= began_ns - 1'000'000'000) return c.hash;
    entry.files.emplace_back(f, st);
  }
  std::lock_guard lock(mu_);
  entries_[key] = std::move(entry);
  return c.hash;
}

std::optional<std::vector<fs::path>> ConfigHashes::current_files(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  std::vector<fs::path> files;
  for (const auto& [file, stamp] : it->second.files) {
    if (stamp_of(file) != stamp) return std::nullopt;
    files.push_back(file);
  }
  return files;
}

void StatusesAtOnce::keep(const std::string& workspace, Entry entry) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries && !entries_.contains(workspace)) entries_.clear();
  entries_.insert_or_assign(workspace, std::move(entry));
}

std::optional<JsonText> StatusesAtOnce::find(const std::string& workspace, const StatusCache& cache) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(workspace);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  const JsonText& text = e.out_of_date ? e.view->text_out_of_date : e.view->text;
  if (!text.text || cache.find(workspace) != e.view || !watch_.unchanged(e.marks)) {
    entries_.erase(it);
    return std::nullopt;
  }
  return text;
}

}  // namespace dlc::core
