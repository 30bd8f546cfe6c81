#include <gtest/gtest.h>

#include "inspect/markers.h"
#include "inspect/version.h"

using namespace dlc::inspect;

namespace {

Version v(const char* s) {
  auto parsed = Version::parse(s);
  EXPECT_TRUE(parsed) << s;
  return parsed.value_or(*Version::parse("0"));
}

bool in(const char* spec, const char* version) {
  auto set = SpecifierSet::parse(spec);
  EXPECT_TRUE(set) << spec;
  return set && set->contains(version);
}

}  // namespace

TEST(Version, OrdersPreDevPostAndLocalAsPep440) {
  EXPECT_LT(v("1.0.dev0"), v("1.0a1"));
  EXPECT_LT(v("1.0a1"), v("1.0b2"));
  EXPECT_LT(v("1.0b2"), v("1.0rc1"));
  EXPECT_LT(v("1.0rc1"), v("1.0"));
  EXPECT_LT(v("1.0"), v("1.0.post1"));
  EXPECT_LT(v("1.11.0"), v("1.11.0+cu113"));
  EXPECT_EQ(v("1.11"), v("1.11.0"));
  EXPECT_LT(v("1.9.1"), v("1.10.0"));
  EXPECT_LT(v("2.4.2"), v("2.4.2.post117"));
  EXPECT_EQ(v("v2.2"), v("2.2"));
  EXPECT_LT(v("2.0"), v("1!0.1"));
}

TEST(Version, ReadsLocalLabelsAndPostReleases) {
  auto t = v("1.11.0+cu113");
  EXPECT_EQ(t.local(), "cu113");
  EXPECT_EQ(t.public_version().str(), "1.11.0");
  EXPECT_EQ(t.major_minor(), "1.11");
  auto p = v("2.4.2.post117");
  ASSERT_TRUE(p.post());
  EXPECT_EQ(*p.post(), 117);
  EXPECT_FALSE(Version::parse("latest"));
  EXPECT_FALSE(Version::parse("1.0+"));
  EXPECT_FALSE(Version::parse("1.0 2.0"));
}

TEST(Specifier, EveryOperatorOfPep440) {
  EXPECT_TRUE(in("==1.11.0", "1.11.0"));
  EXPECT_TRUE(in("==1.11.0", "1.11.0+cu113"));  // a public pin admits local builds
  EXPECT_FALSE(in("==1.11.0+cu113", "1.11.0"));
  EXPECT_TRUE(in("==1.11.*", "1.11.2"));
  EXPECT_FALSE(in("==1.11.*", "1.12.0"));
  EXPECT_TRUE(in("!=1.5.0", "1.5.1"));
  EXPECT_FALSE(in("!=1.5.0", "1.5.0"));
  EXPECT_TRUE(in(">=1.4,<2", "1.13.1"));
  EXPECT_FALSE(in(">=1.4,<2", "2.0.0"));
  EXPECT_FALSE(in("<2.0", "2.0.0rc1"));  // "<2.0" excludes 2.0's own pre-releases
  EXPECT_TRUE(in("<=1.4", "1.4.0"));
  EXPECT_TRUE(in(">1.4", "1.4.1"));
  EXPECT_FALSE(in(">1.4", "1.4.0.post1"));
  EXPECT_TRUE(in("~=2.2", "2.9"));
  EXPECT_FALSE(in("~=2.2", "3.0"));
  EXPECT_TRUE(in("~=1.4.2", "1.4.9"));
  EXPECT_FALSE(in("~=1.4.2", "1.5.0"));
  EXPECT_TRUE(in("===1.0-foo", "1.0-foo"));
  EXPECT_TRUE(in("", "7.0"));
  EXPECT_FALSE(SpecifierSet::parse(">=1.4,"));
  EXPECT_FALSE(SpecifierSet::parse("1.4"));
  EXPECT_FALSE(SpecifierSet::parse(">=1.*"));
  EXPECT_FALSE(SpecifierSet::parse("~=1"));
  EXPECT_EQ(SpecifierSet::parse("==1.11.0+cu113")->exact()->str(), "1.11.0+cu113");
  EXPECT_FALSE(SpecifierSet::parse("==1.11.*")->exact());
}

TEST(Specifier, CondaMatchSpecsAreFuzzy) {
  auto seven = SpecifierSet::parse_conda("1.7");
  ASSERT_TRUE(seven);
  EXPECT_TRUE(seven->contains("1.7.1"));
  EXPECT_FALSE(seven->contains("1.8.0"));
  EXPECT_TRUE(SpecifierSet::parse_conda("=1.7")->contains("1.7.0"));
  EXPECT_FALSE(SpecifierSet::parse_conda("==1.7")->contains("1.7.1"));
  EXPECT_TRUE(SpecifierSet::parse_conda(">=1.7,<1.9")->contains("1.8.1"));
  EXPECT_TRUE(SpecifierSet::parse_conda("1.7.*")->contains("1.7.1"));
  EXPECT_TRUE(SpecifierSet::parse_conda("10.1")->contains("10.1"));
  EXPECT_TRUE(SpecifierSet::parse_conda("")->empty());
  EXPECT_FALSE(SpecifierSet::parse_conda("1.7|1.8"));
}

TEST(Specifier, PoetryCaretAndTilde) {
  auto caret = SpecifierSet::parse_poetry("^1.11");
  ASSERT_TRUE(caret);
  EXPECT_EQ(caret->str(), ">=1.11,<2");
  EXPECT_EQ(SpecifierSet::parse_poetry("^0.2.3")->str(), ">=0.2.3,<0.3");
  EXPECT_EQ(SpecifierSet::parse_poetry("~1.2.3")->str(), ">=1.2.3,<1.3");
  EXPECT_EQ(SpecifierSet::parse_poetry("~1")->str(), ">=1,<2");
  EXPECT_EQ(SpecifierSet::parse_poetry("1.11.0")->str(), "==1.11.0");
  EXPECT_TRUE(SpecifierSet::parse_poetry("*")->empty());
  EXPECT_EQ(SpecifierSet::parse_poetry(">=3.8,<3.11")->str(), ">=3.8,<3.11");
}

TEST(Names, NormaliseAndCudaTags) {
  EXPECT_EQ(normalize_name("Torch_Vision"), "torch-vision");
  EXPECT_EQ(normalize_name("opencv.python--headless"), "opencv-python-headless");
  EXPECT_EQ(cuda_from_tag("cu113"), "11.3");
  EXPECT_EQ(cuda_from_tag("cu92"), "9.2");
  EXPECT_EQ(cuda_from_tag("cu102"), "10.2");
  EXPECT_EQ(cuda_from_tag("cu121"), "12.1");
  EXPECT_FALSE(cuda_from_tag("cpu"));
  EXPECT_FALSE(cuda_from_tag("cu"));
  EXPECT_FALSE(cuda_from_tag("cu1234"));
}

TEST(Markers, EvaluatedForALinuxContainer) {
  MarkerEnvironment env;
  EXPECT_EQ(evaluate_marker("sys_platform == 'win32'", env), false);
  EXPECT_EQ(evaluate_marker("sys_platform == \"linux\" and platform_machine == 'x86_64'", env), true);
  EXPECT_EQ(evaluate_marker("platform_system != 'Darwin'", env), true);
  // Python is not chosen yet: unknown, unless the other half decides.
  EXPECT_EQ(evaluate_marker("python_version < '3.8'", env), std::nullopt);
  EXPECT_EQ(evaluate_marker("python_version < '3.8' and sys_platform == 'win32'", env), false);
  EXPECT_EQ(evaluate_marker("python_version < '3.8' or sys_platform == 'linux'", env), true);
  env.python_version = "3.8";
  EXPECT_EQ(evaluate_marker("python_version < '3.8'", env), false);
  EXPECT_EQ(evaluate_marker("python_version >= '3.7' and (os_name == 'nt' or os_name == 'posix')", env), true);
  EXPECT_EQ(evaluate_marker("'linux' in sys_platform", env), true);
  EXPECT_EQ(evaluate_marker("sys_platform not in 'win32 cygwin'", env), true);
  EXPECT_EQ(evaluate_marker("extra == 'test'", env), false);
  EXPECT_EQ(evaluate_marker("sys_platform ==", env), std::nullopt);
  EXPECT_EQ(evaluate_marker("(sys_platform == 'linux'", env), std::nullopt);
}
