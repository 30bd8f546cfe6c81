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

}  // namespace dlc::inspect
