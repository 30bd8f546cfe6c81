// What each source file imports (of the modules that matter here), remembered between runs by the
// file's stat, so that an unchanged file is not read again.
#pragma once

#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inspect/facts.h"
#include "inspect/stamp.h"
#include "support/files.h"

namespace dlc::inspect {

// A .py or .ipynb file, read for imports after the walk; its stamp when the walk took it.
struct SourceFile {
  std::string rel;
  Stamp stamp;
};

// A text file per repository, "<stamp>\t<path>\t<module@line ...>" per line, sorted by path, rewritten
// whole (into a new file, so that the mapping of the old one stays as it was). Rows are views into
// the mapped file, found by binary search.
class ImportCache {
 public:
  // No cache (enabled() false) when dir is empty.
  ImportCache(const std::filesystem::path& dir, const std::string& root);

  bool enabled() const { return !file_.empty(); }
  std::size_t size() const { return rows_.size(); }

  // The entries remembered for rel when its stamp is unchanged.
  std::optional<std::string_view> find(std::string_view rel, const Stamp& stamp) const;

  // What scan_imports found in one file, as the cache writes it ("cv2@3 !jit@9 torch@1 ~tf.Session@12").
  static std::string entries_of(const RepoFacts& f);

  // files sorted; one without a stamp (gone, or not a regular file) is left out.
  void save(const std::deque<SourceFile>& files, const std::vector<std::string_view>& entries) const;

 private:
  struct Row {
    std::string_view path, stamp, entries;
  };
  std::filesystem::path file_;
  std::optional<MappedFile> mapped_;  // the file as it was read; rows are views into it
  bool valid_ = false;
  std::vector<Row> rows_;
};

}  // namespace dlc::inspect
