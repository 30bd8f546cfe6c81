#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/properties.h"
#include "support/error.h"

namespace dlc::config {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(PropertyWarnings, ASupportedConfigEarnsNone) {
  auto doc = json::parse(R"({"$schema": "x", "name": "n", "image": "i", "workspaceFolder": "/w", "mounts": [],
    "runArgs": [], "forwardPorts": [8888], "appPort": 1, "containerEnv": {}, "remoteEnv": {}, "containerUser": "u",
    "remoteUser": "u", "updateRemoteUserUID": true, "userEnvProbe": "none", "overrideCommand": true, "init": true,
    "privileged": false, "capAdd": [], "securityOpt": [], "shutdownAction": "none", "initializeCommand": "true",
    "onCreateCommand": "true", "updateContentCommand": "true", "postCreateCommand": "true", "postStartCommand": "true",
    "postAttachCommand": "true", "waitFor": "onCreateCommand", "customizations": {"vscode": {}},
    "hostRequirements": {"cpus": 1, "gpu": "optional"}, "portsAttributes": {"8888": {"label": "J", "onAutoForward": "silent"}},
    "build": {"dockerfile": "D", "options": []}, "features": {"./f": {}}, "overrideFeatureInstallOrder": ["./f"]})");
  EXPECT_THAT(property_warnings(doc), IsEmpty()) << joined(property_warnings(doc));
}

TEST(PropertyWarnings, SecretsUnknownAndOldPropertiesAreEachNamed) {
  auto w = joined(property_warnings(json::parse(R"({"image": "i", "secrets": {"TOKEN": {}}, "extensions": [], "imagee": "typo"})")));
  EXPECT_THAT(w, HasSubstr("\"secrets\" is not supported: dlcontainer does not ask for secrets"));
  EXPECT_THAT(w, HasSubstr("\"extensions\""));
  EXPECT_THAT(w, HasSubstr("\"imagee\" is not a property the Dev Container spec defines"));
}

TEST(PropertyWarnings, PortAttributesThatHaveNoEffectAreNamedWithTheirPort) {
  auto w = joined(property_warnings(json::parse(R"({"image": "i",
    "portsAttributes": {"3000": {"onAutoForward": "openBrowser", "elevateIfNeeded": true}, ".+/server.js": {"label": "s"},
                        "4000": {"colour": "red"}},
    "otherPortsAttributes": {"onAutoForward": "notify"},
    "forwardPorts": ["db:5432", "localhost:80"], "build": {"dockerfile": "D", "squash": true},
    "hostRequirements": {"gpus": 1}})")));
  EXPECT_THAT(w, HasSubstr("\"portsAttributes.3000.onAutoForward\": \"openBrowser\" has no effect"));
  EXPECT_THAT(w, HasSubstr("\"portsAttributes.3000.elevateIfNeeded\" has no effect"));
  EXPECT_THAT(w, HasSubstr("\"portsAttributes..+/server.js\": a pattern"));
  EXPECT_THAT(w, HasSubstr("\"portsAttributes.4000.colour\""));
  EXPECT_THAT(w, HasSubstr("\"otherPortsAttributes.onAutoForward\": \"notify\""));
  EXPECT_THAT(w, HasSubstr("\"db:5432\" is forwarded only when db is a service"));
  EXPECT_THAT(w, ::testing::Not(HasSubstr("localhost:80")));
  EXPECT_THAT(w, HasSubstr("\"build.squash\""));
  EXPECT_THAT(w, HasSubstr("\"hostRequirements.gpus\""));
}

TEST(PropertyTable, DocsListEveryPropertyWithItsSupport) {
  std::ifstream in(std::string(DLC_SOURCE_DIR) + "/docs/devcontainer-compat.md");
  ASSERT_TRUE(in) << "docs/devcontainer-compat.md is missing";
  std::stringstream doc;
  doc << in.rdbuf();
  for (const auto& p : property_table()) {
    const char* word = p.support == Support::Supported ? "supported" : p.support == Support::Partly ? "partly" : "warned";
    EXPECT_THAT(doc.str(), HasSubstr("| `" + std::string(p.name) + "` | " + word + " |")) << p.name;
  }
}

TEST(LifecycleCommand, TheSpecsThreeFormsAndWhatCountsAsNothingToRun) {
  auto s = parse_lifecycle_command(json("echo hi"), "postStartCommand", "f");
  EXPECT_EQ(s.steps.at(0).argv, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  auto a = parse_lifecycle_command(json::parse(R"(["echo", "hi"])"), "postStartCommand", "f");
  EXPECT_EQ(a.steps.at(0).argv, (std::vector<std::string>{"echo", "hi"}));
  auto o = parse_lifecycle_command(json::parse(R"({"a": "x", "b": ["y"], "c": ""})"), "postStartCommand", "f");
  EXPECT_TRUE(o.parallel);
  EXPECT_EQ(o.steps.size(), 2u);
  EXPECT_TRUE(parse_lifecycle_command(json("  "), "p", "f").empty());
  EXPECT_TRUE(parse_lifecycle_command(json::array(), "p", "f").empty());
  EXPECT_THROW(parse_lifecycle_command(json(3), "p", "f"), Error);
  EXPECT_THROW(parse_lifecycle_command(json::parse(R"({"a": 3})"), "p", "f"), Error);
}

TEST(ParseBytes, TakesTheSpecsUnitsAndNamesThePropertyOtherwise) {
  EXPECT_EQ(parse_bytes("1024", "p", "f"), 1024);
  EXPECT_EQ(parse_bytes("4kb", "p", "f"), 4096);
  EXPECT_EQ(parse_bytes("2GB", "p", "f"), 2LL << 30);
  EXPECT_EQ(parse_bytes("1tb", "p", "f"), 1LL << 40);
  try {
    parse_bytes("2g", "hostRequirements.memory", "f.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("f.json: \"hostRequirements.memory\""));
  }
  EXPECT_THROW(parse_bytes("99999999999999999999tb", "p", "f"), Error);
}

}  // namespace
}  // namespace dlc::config
