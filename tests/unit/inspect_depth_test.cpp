// Repository files nested beyond any real one: pyproject.toml is refused before toml++ builds it (issue
// 20: 100,000 dotted parts crashed the reader), environment.yml is bounded too; real files of every shape
// are read as before.
#include <gtest/gtest.h>

#include <string>

#include "inspect/parsers.h"

using namespace dlc::inspect;

namespace {

RepoFacts read(const std::string& text) {
  RepoFacts f;
  parse_pyproject(text, "pyproject.toml", f);
  return f;
}

bool refused(const RepoFacts& f) {
  for (const auto& w : f.warnings)
    if (w.find("nested more than 128 levels deep") != std::string::npos) return true;
  return false;
}

std::string dotted(std::size_t parts) {
  std::string key = "a";
  for (std::size_t i = 1; i < parts; ++i) key += ".a";
  return key;
}

}  // namespace

TEST(TomlDepth, AHeaderOfAHundredThousandPartsIsRefusedNotACrash) {
  EXPECT_TRUE(refused(read("[" + dotted(100'000) + "]\nx = 1\n")));
  EXPECT_TRUE(refused(read("[[" + dotted(100'000) + "]]\nx = 1\n")));
}

TEST(TomlDepth, DottedKeysAndInlineTablesCountToo) {
  EXPECT_TRUE(refused(read(dotted(100'000) + " = 1\n")));
  EXPECT_TRUE(refused(read("x = {" + dotted(100'000) + " = 1}\n")));
  EXPECT_TRUE(refused(read("[" + dotted(100) + "]\n" + dotted(100) + " = 1\n")));
}

TEST(TomlDepth, StringsThatEndWithExtraQuotesDoNotHideWhatFollows) {
  EXPECT_TRUE(refused(read("x = \"\"\"a\"\"\"\"\"\n[" + dotted(100'000) + "]\n")));
  EXPECT_TRUE(refused(read("x = '''a'''''\n[" + dotted(100'000) + "]\n")));
}

TEST(YamlDepth, DeepFlowAndBlockNestingAreWarningsNotCrashes) {
  for (const std::string& text : {std::string(100'000, '[') + std::string(100'000, ']'),
                                  [] {
                                    std::string s;
                                    for (int i = 0; i < 100'000; ++i) s += "- ";
                                    return s + "x\n";
                                  }()}) {
    RepoFacts f;
    parse_environment_yml(text, "environment.yml", f, "");
    EXPECT_FALSE(f.warnings.empty());
    EXPECT_TRUE(f.requirements.empty());
  }
}

TEST(TomlDepth, RealFilesAndDotsInStringsAndNumbersAreRead) {
  std::string text =
      "[project]\nname = \"paper\"\nversion = \"1.2.3\"\ndependencies = [\"torch>=1.13.1\", \"numpy==1.24.4\"]\n"
      "weights = [1.5, 2.5, 3.25, 1e3, 0.125, 6.5, 7.75, 8.5]\n"
      "[tool.poetry.group.dev.dependencies]\npytest = {version = \"^7.4.0\", optional = true}\n"
      "[tool.x]\n\"a.b.c.d.e.f.g\" = 1\ndoc = '''" + std::string(500, '.') + "'''\n";
  auto f = read(text);
  EXPECT_FALSE(refused(f));
  EXPECT_GE(f.requirements.size(), 2u);
}
