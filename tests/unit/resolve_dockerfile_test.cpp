#include <gtest/gtest.h>

#include "resolve/dockerfile.h"

using namespace dlc::resolve;

namespace {

Plan sample() {
  Plan p;
  p.base_image = "pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime";
  p.framework = "pytorch";
  p.framework_version = "1.11.0";
  p.gpu = true;
  p.cuda = "11.3";
  p.apt_packages = {"libgl1", "libglib2.0-0"};
  p.pip_packages = {"opencv-python>=4.5", "it's-quoted==1"};
  p.pip_constraints = {"torch==1.11.0.*"};
  p.pip_options = {"--extra-index-url", "https://download.pytorch.org/whl/cu113"};
  p.env = {{"NVIDIA_DISABLE_REQUIRE", "1"}};
  return p;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(Dockerfile, BaseExtrasConstraintsAndTheHostUser) {
  auto df = render_dockerfile(sample(), DockerfileOptions{4242, 4243, "dev"});
  EXPECT_EQ(df.find("FROM pytorch/pytorch:1.11.0-cuda11.3-cudnn8-runtime\n"), df.find("FROM"));
  EXPECT_TRUE(has(df, "ENV NVIDIA_DISABLE_REQUIRE='1'\n"));
  EXPECT_TRUE(has(df, "apt-get install -y --no-install-recommends 'libgl1' 'libglib2.0-0'"));
  EXPECT_TRUE(has(df, "rm -f /etc/apt/sources.list.d/cuda*.list"));
  EXPECT_TRUE(has(df, "printf '%s\\n' 'torch==1.11.0.*' > /tmp/dlcontainer-constraints.txt"));
  EXPECT_TRUE(has(df, "-c /tmp/dlcontainer-constraints.txt '--extra-index-url' 'https://download.pytorch.org/whl/cu113'"));
  EXPECT_TRUE(has(df, "'it'\\''s-quoted==1'"));
  EXPECT_TRUE(has(df, "uid=4242; gid=4243; name='dev';"));
  EXPECT_TRUE(df.ends_with("USER dev\n"));
  EXPECT_FALSE(has(df, "sed -i"));  // no mirror configured
}

TEST(Dockerfile, RootNeedsNoUserAndNothingToAddIsJustTheBase) {
  Plan p;
  p.base_image = "python:3.10-slim";
  auto df = render_dockerfile(p, DockerfileOptions{});
  EXPECT_FALSE(has(df, "useradd"));
  EXPECT_FALSE(has(df, "apt-get"));
  EXPECT_FALSE(has(df, "pip install"));
  EXPECT_TRUE(has(df, "FROM python:3.10-slim\n"));
}

TEST(Dockerfile, MirrorsFromTheUserConfig) {
  Plan p = sample();
  p.apt_mirror = "https://mirrors.example.org/";
  p.pip_index_url = "https://mirrors.example.org/pypi/simple";
  auto df = render_dockerfile(p, DockerfileOptions{});
  EXPECT_TRUE(has(df, "https://mirrors.example.org/ubuntu#g"));
  EXPECT_TRUE(has(df, "https://mirrors.example.org/debian#g"));
  EXPECT_TRUE(has(df, "/etc/apt/sources.list.d/*.sources"));
  EXPECT_TRUE(has(df, "ENV PIP_INDEX_URL='https://mirrors.example.org/pypi/simple'\n"));
  EXPECT_LT(df.find("sed -i"), df.find("apt-get update"));
}

TEST(Dockerfile, TheTagIsTheContent) {
  auto a = render_dockerfile(sample(), DockerfileOptions{1000, 1000, "dev"});
  auto b = render_dockerfile(sample(), DockerfileOptions{1001, 1001, "dev"});
  EXPECT_EQ(plan_image_tag(a), plan_image_tag(a));
  EXPECT_NE(plan_image_tag(a), plan_image_tag(b));
  EXPECT_EQ(plan_image_tag(a).rfind("dlcontainer/plan:", 0), 0u);
  EXPECT_EQ(plan_image_tag(a).size(), std::string("dlcontainer/plan:").size() + 16);
  Plan changed = sample();
  changed.decisions.push_back(Decision{"x", "y", "words do not change the image", {}, {}, {}});
  EXPECT_EQ(plan_fingerprint(changed), plan_fingerprint(sample()));
  changed.pip_packages.push_back("einops");
  EXPECT_NE(plan_fingerprint(changed), plan_fingerprint(sample()));
}

TEST(Devcontainer, RecordsTheChoicesForStockTools) {
  Plan p = sample();
  p.decisions.push_back(Decision{"framework", "PyTorch 1.11.0", "requirements.txt:1", {}, {}, {}});
  auto dc = render_devcontainer(p, "paper");
  EXPECT_EQ(dc["build"]["dockerfile"], "Dockerfile");
  EXPECT_EQ(dc["remoteUser"], "dev");
  const auto& mine = dc["customizations"]["dlcontainer"];
  EXPECT_EQ(mine["framework"]["name"], "pytorch");
  EXPECT_EQ(mine["framework"]["version"], "1.11.0");
  EXPECT_EQ(mine["cuda"], "11.3");
  EXPECT_EQ(mine["reasons"][0], "framework: PyTorch 1.11.0 (requirements.txt:1)");
  EXPECT_EQ(dc["hostRequirements"]["gpu"], "optional");
  Plan own;
  own.mode = "dockerfile";
  own.dockerfile = "Dockerfile";
  auto dc2 = render_devcontainer(own, "paper");
  EXPECT_EQ(dc2["build"]["dockerfile"], "../Dockerfile");
  EXPECT_FALSE(dc2.contains("hostRequirements"));
}

TEST(Dockerfile, ShellQuoting) {
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("x'y"), "'x'\\''y'");
  EXPECT_EQ(shell_quote("a\nb"), "'a b'");
}
