// JAX, a framework with release rows but no images (server/catalog/jax.json): its version by the same
// rules as a listed framework's (a pin, the era of HEAD), and a CUDA base its wheels were built for.
#include <gtest/gtest.h>

#include "resolve_fixtures.h"

using namespace dlc;
using namespace dlc::resolve;
using namespace dlc::testing;

TEST(ResolveWheelReleases, UnpinnedJaxTakesTheReleaseOfItsEraAndACudaItsWheelsWereBuiltFor) {
  // May 2021: jax 0.2.13 (May 3), whose jaxlib wheels were built for CUDA 10.1-11.2; the driver runs 11.3,
  // which no wheel of then was built for.
  auto p = plan({{"requirements.txt", "jax>=0.2.12\nflax\n"}, {"train.py", "import jax\n"}}, driver("465.19.01"), {}, "2021-05-25");
  EXPECT_EQ(p.framework, "jax");
  EXPECT_EQ(p.framework_version, "0.2.13");
  EXPECT_EQ(p.cuda, "11.2");
  auto* v = decision(p, "version");
  ASSERT_TRUE(v);
  EXPECT_NE(v->reason.find("HEAD is dated 2021-05-25"), std::string::npos) << v->reason;
  EXPECT_NE(v->reason.find("built for CUDA 10.1, 10.2, 11.0, 11.1, 11.2"), std::string::npos) << v->reason;
  ASSERT_FALSE(v->citations.empty());
  EXPECT_NE(v->citations.back().find("CHANGELOG.md"), std::string::npos);
}

TEST(ResolveWheelReleases, APinnedJaxKeepsItsVersionAndAPinInSetupPyDoesNotHideIt) {
  // requirements.txt pins jax==0.2.14 and setup.py lists a bare jax: the pin is the version.
  auto p = plan({{"requirements.txt", "jax==0.2.14\n"}, {"setup.py", "setup(name='x', install_requires=['jax'])\n"}, {"a.py", "import jax\n"}},
                driver("470.82.01"), {}, "2021-11-05");
  EXPECT_EQ(p.framework_version, "0.2.14");
  EXPECT_EQ(p.cuda, "11.4");  // the cuda111 wheel runs on every 11.x from 11.1 (jaxlib 0.1.66)
}

TEST(ResolveWheelReleases, JaxOfEarly2023HasNoCuda12WheelsSoTheBaseIsCuda11) {
  // jax 0.4.6 (March 2023): CUDA 11.4 or newer, and CUDA 12 wheels only from 0.4.8: on a CUDA 12.0
  // driver the base is the newest 11.x.
  auto p = plan({{"big_vision/train.py", "import jax\n"}}, driver("525.89.02"), {}, "2023-03-20");
  EXPECT_EQ(p.framework_version, "0.4.6");
  EXPECT_EQ(p.cuda, "11.8");
  // A year later, CUDA 12 builds: the newest CUDA the driver runs among them.
  auto q = plan({{"train.py", "import jax\n"}}, driver("550.54.14"), {}, "2024-03-01");
  EXPECT_EQ(q.framework_version, "0.4.25");
  EXPECT_EQ(q.cuda.substr(0, 3), "12.");
}

TEST(ResolveWheelReleases, AJaxPinNewerThanTheRowsIsInstalledAsPinnedWithAWarning) {
  auto p = plan({{"requirements.txt", "jax==0.9.1\n"}, {"a.py", "import jax\n"}}, driver("570.86.10"), {}, "2026-01-01");
  EXPECT_EQ(p.framework, "jax");
  EXPECT_EQ(p.framework_version, "0.9.1");
  EXPECT_TRUE(p.gpu);
  EXPECT_TRUE(warned(p, "installed from pip as the repository pins it"));
}

TEST(ResolveWheelReleases, FrameworkOptionNamingJaxSaysItHasNoImages) {
  ResolveOptions o;
  o.framework = "jax==0.4.13";
  try {
    plan({{"a.py", "import jax\n"}}, driver("535.104.05"), o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no JAX images"), std::string::npos) << e.what();
  }
}

TEST(ResolveWheelReleases, AWheelUrlInTheReadmeGivesAnMxnetVersionAndItsCuda) {
  // MXNet has no rows: the version is the wheel's, the CUDA the wheel's name says.
  auto p = plan({{"README.md", "pip install https://example.org/mxnet_cu101-1.6.0b20191214-py2.py3-none-manylinux1_x86_64.whl\n"},
                 {"train.py", "import mxnet as mx\n"}},
                driver("440.44"), {}, "2019-12-18");
  EXPECT_EQ(p.framework, "mxnet");
  EXPECT_EQ(p.framework_version, "1.6.0b20191214");
  EXPECT_EQ(p.cuda, "10.1");
}

TEST(ResolveWheelReleases, TheReadmesCudaExtraIsTheCudaBuildOfJax) {
  // Only the README names JAX, with its CUDA extra: nothing to warn about jaxlib being CPU-only.
  auto p = plan({{"README.md", "pip3 install --upgrade \"jax[cuda]\" -f https://storage.googleapis.com/jax-releases/jax_cuda_releases.html\n"},
                 {"train.py", "import jax\n"}},
                driver("525.89.02"), {}, "2023-03-20");
  EXPECT_EQ(p.framework, "jax");
  EXPECT_FALSE(warned(p, "CPU-only"));
}
