// The devcontainer.json fuzz target's entry point, run over its seed corpus in the ordinary build: the
// target is compiled and exercised by every test run, not only by scripts/fuzz.sh (which needs clang).
// Each seed must come back from the target (a dlc::Error is caught there; anything else fails here).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "support/files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

TEST(DevcontainerFuzzSeeds, EverySeedAndEachOfItsPrefixesIsReadWithoutACrash) {
  fs::path corpus = fs::path(DLC_SOURCE_DIR) / "tests" / "fuzz" / "corpus" / "devcontainer";
  int seeds = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    auto text = dlc::read_file(entry.path().string());
    ASSERT_TRUE(text) << entry.path();
    // Every prefix too: a file cut short anywhere is the commonest bad input.
    for (std::size_t n = 0; n <= text->size(); n += 1 + text->size() / 64) {
      EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(text->data()), n), 0) << entry.path() << " cut at " << n;
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

}  // namespace

// The target itself, compiled into the unit tests.
#include "../fuzz/devcontainer_fuzz.cpp"
