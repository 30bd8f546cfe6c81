// The built-in catalog: NVIDIA's driver table as the release notes state it, and every row cited.
#include <gtest/gtest.h>

#include "plan_fixtures.h"
#include "resolve/catalog.h"
#include "support/error.h"

using namespace dlc;
using namespace dlc::resolve;

TEST(Catalog, MinimumDriversAreTheReleaseNotesTable) {
  auto c = Catalog::builtin();
  EXPECT_EQ(c.min_driver("10.1"), "418.39");
  EXPECT_EQ(c.min_driver("10.2"), "440.33");
  EXPECT_EQ(c.min_driver("11.0"), "450.36.06");  // the 11.0.1 RC row is the lowest
  EXPECT_EQ(c.min_driver("11.0.3"), "450.51.06");
  EXPECT_EQ(c.min_driver("11.3"), "465.19.01");
  EXPECT_EQ(c.min_driver("11.7"), "515.43.04");
  EXPECT_EQ(c.min_driver("11.8"), "520.61.05");
  EXPECT_EQ(c.min_driver("12.0"), "525.60.13");
  EXPECT_EQ(c.min_driver("12.4"), "550.54.14");
  EXPECT_FALSE(c.min_driver("7.5"));
  ASSERT_TRUE(c.minor_compat(11));
  EXPECT_EQ(c.minor_compat(11)->min_driver, "450.80.02");
  ASSERT_TRUE(c.minor_compat(12));
  EXPECT_EQ(c.minor_compat(12)->min_driver, "525.60.13");
  EXPECT_FALSE(c.minor_compat(10));
}

TEST(Catalog, TheNewestCudaADriverRunsNatively) {
  auto c = Catalog::builtin();
  EXPECT_EQ(c.max_cuda("515.48.07"), "11.7");
  EXPECT_EQ(c.max_cuda("440.64"), "10.2");
  EXPECT_EQ(c.max_cuda("418.39"), "10.1");
  EXPECT_EQ(c.max_cuda("390.48"), "9.1");
  EXPECT_EQ(c.max_cuda("450.80.02"), "11.0");
  EXPECT_EQ(c.max_cuda("535.104.05"), "12.2");
  EXPECT_EQ(c.max_cuda("300.1"), "");
  EXPECT_LT(compare_driver("515.48.07", "520.61.05"), 0);
  EXPECT_GT(compare_driver("450.80.02", "450.51.06"), 0);
  EXPECT_EQ(compare_driver("470", "470.0.0"), 0);
}

TEST(Catalog, TheSeedsImagesAreThere) {
  auto c = Catalog::builtin();
  auto has = [&](const std::string& framework, const std::string& version, const std::string& image) {
    const Framework* fw = c.framework(framework);
    if (!fw) return false;
    for (const auto& r : fw->releases) {
      for (const auto& i : r.images) {
        if (r.version == version && i.image == image) return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(has("pytorch", "1.11.0", "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime"));
  EXPECT_TRUE(has("tensorflow", "2.2.0", "tensorflow/tensorflow:2.2.0-gpu"));
  EXPECT_TRUE(has("tensorflow", "1.15.0", "tensorflow/tensorflow:1.15.0-gpu-py3"));
  EXPECT_TRUE(has("paddlepaddle", "2.0.1", "paddlepaddle/paddle:2.0.1-gpu-cuda11.0-cudnn8"));
  EXPECT_EQ(c.framework_of_package("tensorflow-gpu"), c.framework("tensorflow"));
  EXPECT_EQ(c.framework_of_package("torch"), c.framework("pytorch"));
  EXPECT_EQ(c.framework_of_package("paddlepaddle-gpu"), c.framework("paddlepaddle"));
  bool cuda_base = false;
  for (const auto& i : c.cuda_images()) cuda_base |= i.image == "nvidia/cuda:11.0.3-base-ubuntu20.04";
  EXPECT_TRUE(cuda_base);
}

TEST(Catalog, EveryRowCitesASourceTheCatalogDefines) {
  auto c = Catalog::builtin();
  auto cited = [&](const std::string& id) { return c.source(id) != nullptr; };
  std::size_t rows = 0;
  for (const auto& fw : c.frameworks()) {
    for (const auto& r : fw.releases) {
      EXPECT_TRUE(cited(r.source)) << fw.name << " " << r.version;
      ++rows;
      for (const auto& i : r.images) {
        EXPECT_TRUE(cited(i.source)) << i.image;
        ++rows;
      }
    }
  }
  for (const auto& i : c.cuda_images()) EXPECT_TRUE(cited(i.source)) << i.image;
  for (const auto& i : c.python_images()) EXPECT_TRUE(cited(i.source)) << i.image;
  for (const auto& t : c.toolkits()) EXPECT_TRUE(cited(t.source)) << t.cuda;
  for (const auto& b : c.build_needs()) EXPECT_TRUE(cited(b.source)) << b.package;
  EXPECT_GT(rows, 200u);
  EXPECT_NE(c.cite("cuda-release-notes").find("https://docs.nvidia.com/"), std::string::npos);
}

TEST(Catalog, AUserFileReplacesAReleaseAndItsRowsComeFirst) {
  dlc::testing::TempRepo dir;
  dir.write("catalog.json", R"({
    "frameworks": [{"name": "pytorch", "releases": [{"version": "1.11.0", "images": [
      {"image": "dlc-test/python:latest", "kind": "gpu", "flavor": "runtime", "cuda": "11.3", "cudnn": "8", "provides": ["torch"]}]}]}],
    "cudaImages": [{"image": "local/cuda:11.0", "cuda": "11.0", "flavor": "base"}]
  })");
  auto c = Catalog::load(dir.path() / "catalog.json");
  const Framework* fw = c.framework("pytorch");
  ASSERT_TRUE(fw);
  const FrameworkRelease* rel = nullptr;
  for (const auto& r : fw->releases) {
    if (r.version == "1.11.0") rel = &r;
  }
  ASSERT_TRUE(rel);
  ASSERT_EQ(rel->images.size(), 1u);
  EXPECT_EQ(rel->images[0].image, "dlc-test/python:latest");
  EXPECT_TRUE(rel->images[0].user);
  EXPECT_EQ(rel->images[0].source, (dir.path() / "catalog.json").string());  // the file is the source
  EXPECT_EQ(c.cuda_images().front().image, "local/cuda:11.0");
  EXPECT_EQ(c.origins().back(), (dir.path() / "catalog.json").string());
  // The other releases are the built-in ones still.
  EXPECT_GT(fw->releases.size(), 20u);
}

TEST(Catalog, ABadUserFileNamesTheRow) {
  dlc::testing::TempRepo dir;
  dir.write("catalog.json", R"({"frameworks": [{"name": "pytorch", "releases": [{"version": "1.11.0", "images": [{"image": "x", "kind": "gpu"}]}]}]})");
  try {
    Catalog::load(dir.path() / "catalog.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_NE(std::string(e.what()).find("frameworks[0].releases[0].images[0]: a gpu image needs \"cuda\""), std::string::npos) << e.what();
  }
  try {
    Catalog::load(dir.path() / "missing.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_NE(e.hint().find("--catalog"), std::string::npos);
  }
}
