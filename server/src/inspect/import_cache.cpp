#include "inspect/import_cache.h"

#include <algorithm>

#include "inspect/text.h"
#include "support/hash.h"

namespace dlc::inspect {

namespace fs = std::filesystem;

namespace {

// Bumped when what scan_imports finds changes, so that old entries are not trusted.
std::string header() { return "dlcontainer-imports 6"; }  // 6: PyG's extensions and fast_jl are built with nvcc

}  // namespace

ImportCache::ImportCache(const fs::path& dir, const std::string& root) {
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

std::optional<std::string_view> ImportCache::find(std::string_view rel, const Stamp& stamp) const {
  if (!stamp.valid) return std::nullopt;
  auto it = std::lower_bound(rows_.begin(), rows_.end(), rel, [](const Row& r, std::string_view p) { return r.path < p; });
  char buf[128];
  if (it == rows_.end() || it->path != rel || it->stamp != stamp.text(buf)) return std::nullopt;
  return it->entries;
}

std::string ImportCache::entries_of(const RepoFacts& f) {
  std::string out;
  for (const auto& n : f.system_needs) out += (out.empty() ? "" : " ") + n.module + "@" + std::to_string(n.source.line);
  for (const auto& c : f.cuda_code) {
    if (c.kind == "jit-load") out += (out.empty() ? "" : " ") + std::string("!jit@") + std::to_string(c.source.line);
    // "build-import:apex" is kept as "!build:apex@7".
    if (starts_with(c.kind, "build-import:")) out += std::string(out.empty() ? "" : " ") + "!build:" + c.kind.substr(13) + "@" + std::to_string(c.source.line);
  }
  // A framework import is its module ("torch@3"), a removed API is marked ("~tf.Session@12").
  for (const auto& c : f.code) out += (out.empty() ? "" : " ") + std::string(c.kind == "api" ? "~" : "") + c.subject + "@" + std::to_string(c.source.line);
  return out;
}

void ImportCache::save(const std::deque<SourceFile>& files, const std::vector<std::string_view>& entries) const {
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

}  // namespace dlc::inspect
