// cog.yaml (Replicate's Cog): the image a repository publishes its model in, read as a manifest.
#include <gtest/gtest.h>

#include <map>

#include "inspect/parsers.h"

using namespace dlc::inspect;

namespace {

FileReader reader_of(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& rel) -> std::optional<std::string> {
    auto it = files.find(rel);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
}

std::vector<std::string> requirements_of(const RepoFacts& f) {
  std::vector<std::string> out;
  for (const auto& r : f.requirements) out.push_back(r.group + ":" + r.name + r.specifier + "@" + r.source.str());
  return out;
}

}  // namespace

TEST(Cog, PackagesPythonCudaAndRunCommands) {
  const char* text =
      "build:\n"
      "  gpu: true\n"
      "  cuda: \"11.8\"\n"
      "  python_version: \"3.8\"\n"
      "  system_packages:\n"
      "    - \"libgl1-mesa-glx\"\n"
      "  python_packages:\n"
      "    - \"torch==1.8.0\"\n"
      "    - \"torchvision==0.9.0\"\n"
      "    - \"timm==0.4.12\"\n"
      "  run:\n"
      "    - pip install opencv-python==4.5.1.48\n"
      "    - command: pip install einops\n"
      "predict: \"predict.py:Predictor\"\n";
  RepoFacts f;
  parse_cog_yaml(text, "cog.yaml", reader_of({}), f);
  EXPECT_TRUE(f.warnings.empty());
  EXPECT_EQ(f.manifests, std::vector<std::string>{"cog.yaml"});
  EXPECT_EQ(requirements_of(f), (std::vector<std::string>{"cog:torch==1.8.0@cog.yaml:8", "cog:torchvision==0.9.0@cog.yaml:9",
                                                          "cog:timm==0.4.12@cog.yaml:10", "cog:opencv-python==4.5.1.48@cog.yaml:12",
                                                          "cog:einops@cog.yaml:13"}));
  ASSERT_EQ(f.hints.size(), 2u);
  EXPECT_EQ(f.hints[0].subject, "python");
  EXPECT_EQ(f.hints[0].spec, "==3.8.*");
  EXPECT_FALSE(f.hints[0].weak);
  EXPECT_EQ(f.hints[1].subject, "cuda");
  EXPECT_EQ(f.hints[1].spec, "==11.8.*");
}

TEST(Cog, ARequirementsFileItNamesIsRead) {
  RepoFacts f;
  parse_cog_yaml("build:\n  python_requirements: requirements-cog.txt\n", "cog.yaml",
                 reader_of({{"requirements-cog.txt", "torch==2.1.0\n"}}), f);
  EXPECT_EQ(requirements_of(f), std::vector<std::string>{"cog:torch==2.1.0@requirements-cog.txt:1"});
  RepoFacts missing;
  parse_cog_yaml("build:\n  python_requirements: nowhere.txt\n", "cog.yaml", reader_of({}), missing);
  ASSERT_EQ(missing.warnings.size(), 1u);
  EXPECT_NE(missing.warnings[0].find("nowhere.txt cannot be read"), std::string::npos);
}

TEST(Cog, WithoutABuildSectionOrBrokenItDescribesNoImage) {
  RepoFacts f;
  parse_cog_yaml("predict: \"predict.py:Predictor\"\n", "cog.yaml", reader_of({}), f);
  EXPECT_TRUE(f.manifests.empty());
  EXPECT_TRUE(f.requirements.empty());
  RepoFacts broken;
  parse_cog_yaml("build: [unclosed\n", "cog.yaml", reader_of({}), broken);
  ASSERT_EQ(broken.warnings.size(), 1u);
  EXPECT_EQ(broken.warnings[0].rfind("cog.yaml:", 0), 0u) << broken.warnings[0];
  RepoFacts deep;
  parse_cog_yaml(std::string(100, '[') + "\n", "cog.yaml", reader_of({}), deep);
  ASSERT_EQ(deep.warnings.size(), 1u);
  EXPECT_NE(deep.warnings[0].find("nested"), std::string::npos);
}
