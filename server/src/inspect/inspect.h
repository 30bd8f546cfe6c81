// inspect/: a repository -> RepoFacts. Reads files; runs nothing of the repository.
#pragma once

#include <cstddef>
#include <filesystem>

#include "inspect/facts.h"
#include "support/cancel.h"

namespace dlc::inspect {

struct InspectOptions {
  std::size_t max_entries = 300000;       // a walk stops here (datasets checked into a repo); a warning says so
  std::size_t max_manifest_bytes = 1 << 20;
  std::size_t max_source_bytes = 256 << 10;  // of each .py/.ipynb file, for imports
  std::size_t max_cuda_sources = 10;      // .cu files recorded (one is enough to need nvcc; a few show where)
  std::size_t max_folder_manifests = 8;   // manifests read from code folders when the root has none (a monorepo's)
  // Where inspection remembers between runs what each source file imports (keyed by path, size,
  // mtime, ctime and inode), so that an unchanged file is not read again, and HEAD's date (keyed by
  // its commit id), so that libgit2 is not started for it; "" : no cache, nothing written.
  std::filesystem::path cache_dir;
  // Stops the walk and the reading of sources with Error{Cancelled} (an editor gave up on a big repo).
  CancelToken cancel;
};

// Walks the repository (skipping .git, virtualenvs, caches and what .gitignore ignores), reads the
// manifests it finds and HEAD's commit date. Throws Error{PathNotFound} when root is not a folder.
RepoFacts inspect_repository(const std::filesystem::path& root, const InspectOptions& options = {});

}  // namespace dlc::inspect
