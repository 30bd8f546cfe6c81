// The sources read for imports, in parallel, with the import cache; what they import becomes facts.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "inspect/parsers.h"
#include "inspect/text.h"
#include "inspect/walk.h"
#include "support/files.h"

namespace dlc::inspect {

bool cpp_source(std::string_view rel) {
  for (std::string_view ext : {".cu", ".cuh", ".cpp", ".cc", ".cxx"}) {
    if (ends_with(rel, ext)) return true;
  }
  return false;
}

// One entry of a file, in path order: the first file of each fact is where it is said to be, and
// the files that show a code fact are counted.
void Walker::add_entry(std::string_view name, const Source& where) {
  if (name == "!jit") {
    bool seen = std::any_of(facts_.cuda_code.begin(), facts_.cuda_code.end(), [](const CudaCode& x) { return x.kind == "jit-load"; });
    if (!seen) facts_.cuda_code.push_back(CudaCode{"jit-load", where});
    return;
  }
  if (starts_with(name, "!build:")) {
    std::string kind = "build-import:" + std::string(name.substr(7));
    bool seen = std::any_of(facts_.cuda_code.begin(), facts_.cuda_code.end(), [&](const CudaCode& x) { return x.kind == kind; });
    if (!seen) facts_.cuda_code.push_back(CudaCode{std::move(kind), where});
    return;
  }
  bool api = starts_with(name, "~");
  if (api || framework_module(name)) {
    std::string_view subject = api ? name.substr(1) : name;
    const char* kind = api ? "api" : "import";
    for (auto& c : facts_.code) {
      if (c.kind == kind && c.subject == subject) {
        ++c.files;
        return;
      }
    }
    facts_.code.push_back(CodeFact{kind, std::string(subject), 1, where});
    return;
  }
  bool seen = std::any_of(facts_.system_needs.begin(), facts_.system_needs.end(), [&](const SystemNeed& x) { return x.module == name; });
  if (seen) return;
  if (auto need = system_need(name, where)) facts_.system_needs.push_back(std::move(*need));
}

void Walker::scan_sources() {
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
      if (auto text = read_file(full, options_.max_source_bytes, false)) {
        if (cpp_source(rel)) scan_cpp_source(*text, rel, scratch);
        else scan_imports(*text, rel, scratch);
      }
      if (!scratch.system_needs.empty() || !scratch.cuda_code.empty() || !scratch.code.empty()) {
        entries[k] = scanned[t].emplace_back(ImportCache::entries_of(scratch));
      }
      scratch.system_needs.clear();
      scratch.cuda_code.clear();
      scratch.code.clear();
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
      add_entry(item.substr(0, at), Source{found.sources[k].rel, std::atoi(std::string(item.substr(at + 1)).c_str())});
    }
  }
  std::sort(facts_.code.begin(), facts_.code.end(), [](const CodeFact& a, const CodeFact& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.subject < b.subject;
  });
}

}  // namespace dlc::inspect
