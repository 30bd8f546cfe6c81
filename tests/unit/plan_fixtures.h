// Shared by the inspect_* and resolve_* unit tests: a throwaway repository folder, and facts made
// from file contents the way inspect_repository reads them.
#pragma once

#include <git2.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "inspect/inspect.h"

namespace dlc::testing {

class TempRepo {
 public:
  TempRepo() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("dlc-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(std::time(nullptr)));
    std::filesystem::create_directories(path_);
  }
  ~TempRepo() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempRepo(const TempRepo&) = delete;

  const std::filesystem::path& path() const { return path_; }

  void write(const std::string& rel, const std::string& content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  // Makes the folder a git repository (when it is not one yet) and commits everything in it on top of
  // HEAD, dated `when` (UTC seconds).
  void commit(std::time_t when) const {
    git_libgit2_init();
    git_repository* repo = nullptr;
    ASSERT_EQ(git_repository_init(&repo, path_.c_str(), 0), 0);
    git_index* index = nullptr;
    ASSERT_EQ(git_repository_index(&index, repo), 0);
    git_strarray all{nullptr, 0};
    ASSERT_EQ(git_index_add_all(index, &all, 0, nullptr, nullptr), 0);
    git_oid tree_id, commit_id;
    ASSERT_EQ(git_index_write(index), 0);
    ASSERT_EQ(git_index_write_tree(&tree_id, index), 0);
    git_tree* tree = nullptr;
    ASSERT_EQ(git_tree_lookup(&tree, repo, &tree_id), 0);
    git_signature* sig = nullptr;
    ASSERT_EQ(git_signature_new(&sig, "dlc", "dlc@localhost", when, 0), 0);
    git_object* parent = nullptr;
    if (git_revparse_single(&parent, repo, "HEAD^{commit}") != 0) parent = nullptr;
    const git_commit* parents[] = {reinterpret_cast<const git_commit*>(parent)};
    ASSERT_EQ(git_commit_create(&commit_id, repo, "HEAD", sig, sig, nullptr, "test", tree, parent ? 1 : 0, parents), 0);
    git_object_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    git_index_free(index);
    git_repository_free(repo);
  }

  // Runs f on the repository (libgit2), for tests that move HEAD, pack refs or add remotes.
  template <class F>
  void with_git(F f) const {
    git_libgit2_init();
    git_repository* repo = nullptr;
    ASSERT_EQ(git_repository_open(&repo, path_.c_str()), 0);
    f(repo);
    git_repository_free(repo);
  }

  inspect::RepoFacts inspect() const { return inspect::inspect_repository(path_); }

 private:
  std::filesystem::path path_;
};

// Seconds since the epoch of a UTC date.
inline std::time_t utc(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = 12;
  return timegm(&tm);
}

// Facts of a repository made of these files.
inline inspect::RepoFacts facts_of(const std::map<std::string, std::string>& files, std::string commit_date = "") {
  TempRepo repo;
  for (const auto& [rel, content] : files) repo.write(rel, content);
  auto facts = repo.inspect();
  facts.commit_date = std::move(commit_date);
  return facts;
}

}  // namespace dlc::testing
