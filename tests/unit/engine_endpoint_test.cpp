// engine/endpoint: which engine, chosen as the docker CLI chooses (--host, DOCKER_HOST, docker contexts
// from the CLI's own files, the user config, the default socket), and how each URL form reads. Each test
// gets a docker config folder and environment of its own.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "engine/endpoint.h"
#include "engine/ssh.h"
#include "support/error.h"
#include "support/hash.h"

namespace dlc::engine {
namespace {

namespace fs = std::filesystem;

// Sets variables for one test and puts back what was there.
class Env {
 public:
  ~Env() {
    for (const auto& [k, v] : saved_) {
      if (v) ::setenv(k.c_str(), v->c_str(), 1);
      else ::unsetenv(k.c_str());
    }
  }
  void set(const std::string& k, const std::string& v) { save(k), ::setenv(k.c_str(), v.c_str(), 1); }
  void unset(const std::string& k) { save(k), ::unsetenv(k.c_str()); }

 private:
  void save(const std::string& k) {
    if (saved_.count(k)) return;
    const char* v = std::getenv(k.c_str());
    saved_[k] = v ? std::optional<std::string>(v) : std::nullopt;
  }
  std::map<std::string, std::optional<std::string>> saved_;
};

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dlc-endpoint-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    for (const char* v : {"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"}) env_.unset(v);
    env_.set("DOCKER_CONFIG", dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  // A context as `docker context create NAME --docker host=HOST` leaves it.
  void context(const std::string& name, const std::string& host, bool tls = false, bool skip_verify = false) {
    std::string id = sha256_hex(name);
    write(dir_ / "contexts" / "meta" / id / "meta.json",
          R"({"Name":")" + name + R"(","Metadata":{},"Endpoints":{"docker":{"Host":")" + host +
              R"(","SkipTLSVerify":)" + (skip_verify ? "true" : "false") + "}}}");
    if (tls) {
      for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) write(dir_ / "contexts" / "tls" / id / "docker" / f, "pem");
    }
  }

  fs::path dir_;
  Env env_;
};

TEST_F(EndpointTest, UrlFormsReadAsTheDockerCliReadsThem) {
  auto u = Endpoint::parse("unix:///tmp/d.sock");
  EXPECT_EQ(u.transport, Transport::Unix);
  EXPECT_EQ(u.socket_path, "/tmp/d.sock");
  EXPECT_TRUE(u.local());
  EXPECT_EQ(Endpoint::parse("/run/x.sock").url(), "unix:///run/x.sock");

  auto t = Endpoint::parse("tcp://10.0.0.5");
  EXPECT_EQ(t.transport, Transport::Tcp);
  EXPECT_EQ(t.port, 2375);  // plain without TLS settings, as docker does
  EXPECT_FALSE(t.tls);
  EXPECT_FALSE(t.local());
  EXPECT_EQ(t.machine(), "10.0.0.5");
  EXPECT_EQ(Endpoint::parse("tcp://[::1]:2376").url(), "tcp://[::1]:2376");

  auto s = Endpoint::parse("ssh://alice@gpu1:2222/run/user/1000/docker.sock");
  EXPECT_EQ(s.transport, Transport::Ssh);
  EXPECT_EQ(s.user, "alice");
  EXPECT_EQ(s.host, "gpu1");
  EXPECT_EQ(s.port, 2222);
  EXPECT_EQ(s.socket_path, "/run/user/1000/docker.sock");
  EXPECT_EQ(s.url(), "ssh://alice@gpu1:2222/run/user/1000/docker.sock");
  auto plain = Endpoint::parse("ssh://gpu1");
  EXPECT_EQ(plain.port, 0);  // left to ssh and ~/.ssh/config
  EXPECT_EQ(plain.user, "");
  EXPECT_EQ(plain.url(), "ssh://gpu1");
}

TEST_F(EndpointTest, UrlsThatCannotBeUsedAreRefusedWithTheFormToWrite) {
  for (const char* bad : {"npipe:////./pipe/docker_engine", "gpu1", "tcp://", "tcp://h:99999", "tcp://h:2375/path",
                          "ssh://alice:secret@gpu1", "ssh://-oProxyCommand=x", "ssh://gpu1?x=1", "unix://relative"}) {
    try {
      Endpoint::parse(bad, "--host");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << bad;
      EXPECT_NE(std::string(e.what()).find("--host="), std::string::npos) << e.what();
      EXPECT_NE(e.hint().find("ssh://"), std::string::npos);
    }
  }
}

TEST_F(EndpointTest, TcpGetsTlsFromTheDockerVariables) {
  write(dir_ / "certs" / "ca.pem", "pem");
  write(dir_ / "certs" / "cert.pem", "pem");
  write(dir_ / "certs" / "key.pem", "pem");
  env_.set("DOCKER_TLS_VERIFY", "1");
  env_.set("DOCKER_CERT_PATH", (dir_ / "certs").string());
  auto e = Endpoint::parse("tcp://10.0.0.5");
  ASSERT_TRUE(e.tls);
  EXPECT_EQ(e.port, 2376);
  EXPECT_TRUE(e.tls->verify);
  EXPECT_EQ(e.tls->ca, (dir_ / "certs" / "ca.pem").string());
  EXPECT_EQ(e.tls->key, (dir_ / "certs" / "key.pem").string());

  env_.unset("DOCKER_TLS_VERIFY");
  env_.unset("DOCKER_CERT_PATH");
  env_.set("DOCKER_TLS", "1");  // encrypted, not verified; the certificates from ~/.docker (here DOCKER_CONFIG)
  write(dir_ / "ca.pem", "pem");
  auto unverified = Endpoint::parse("tcp://10.0.0.5:2376");
  ASSERT_TRUE(unverified.tls);
  EXPECT_FALSE(unverified.tls->verify);
  EXPECT_EQ(unverified.tls->ca, (dir_ / "ca.pem").string());
}

TEST_F(EndpointTest, PrecedenceIsHostThenDockerHostThenContextsThenUserConfigThenDefault) {
  EXPECT_EQ(choose_endpoint().url(), "unix:///var/run/docker.sock");
  EXPECT_EQ(choose_endpoint({}, "ssh://fromconfig").url(), "ssh://fromconfig");
  EXPECT_EQ(choose_endpoint({}, "ssh://fromconfig").origin, "host in dlcontainer's config.json");

  context("gpu1", "ssh://alice@gpu1");
  context("gpu2", "tcp://10.0.0.2:2376", /*tls=*/true);
  write(dir_ / "config.json", R"({"auths":{},"currentContext":"gpu1"})");
  auto current = choose_endpoint({}, "ssh://fromconfig");
  EXPECT_EQ(current.url(), "ssh://alice@gpu1");
  EXPECT_EQ(current.context, "gpu1");
  EXPECT_NE(current.origin.find("currentContext"), std::string::npos);

  env_.set("DOCKER_CONTEXT", "gpu2");
  auto named = choose_endpoint({}, "ssh://fromconfig");
  EXPECT_EQ(named.url(), "tcp://10.0.0.2:2376");
  ASSERT_TRUE(named.tls);  // the context's own TLS folder
  EXPECT_NE(named.tls->ca.find("contexts/tls"), std::string::npos);
  EXPECT_EQ(named.origin, "docker context gpu2 (DOCKER_CONTEXT)");

  env_.set("DOCKER_HOST", "unix:///tmp/other.sock");
  EXPECT_EQ(choose_endpoint({}, "ssh://fromconfig").url(), "unix:///tmp/other.sock");
  EXPECT_EQ(choose_endpoint("ssh://flag", "ssh://fromconfig").url(), "ssh://flag");
  EXPECT_EQ(choose_endpoint("ssh://flag").origin, "--host");
}

TEST_F(EndpointTest, TheDefaultContextMeansTheDefaultEngine) {
  write(dir_ / "config.json", R"({"currentContext":"default"})");
  EXPECT_EQ(choose_endpoint().url(), "unix:///var/run/docker.sock");
  env_.set("DOCKER_CONTEXT", "default");
  EXPECT_EQ(choose_endpoint({}, "ssh://fromconfig").url(), "ssh://fromconfig");
}

TEST_F(EndpointTest, AMissingOrBrokenContextIsAConfigErrorWithTheFix) {
  env_.set("DOCKER_CONTEXT", "nosuch");
  try {
    choose_endpoint();
    ADD_FAILURE() << "a missing context was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::ConfigInvalid);
    EXPECT_NE(std::string(e.what()).find("\"nosuch\""), std::string::npos);
    EXPECT_NE(e.hint().find("docker context ls"), std::string::npos);
  }
  write(dir_ / "contexts" / "meta" / sha256_hex("broken") / "meta.json", "{not json");
  env_.set("DOCKER_CONTEXT", "broken");
  EXPECT_THROW(choose_endpoint(), Error);
  write(dir_ / "config.json", "[1,2]");
  env_.unset("DOCKER_CONTEXT");
  EXPECT_THROW(choose_endpoint(), Error);
}

TEST(SshFailure, SaysWhatIsMissingOrRefusedAndTheFix) {
  Endpoint e = Endpoint::parse("ssh://alice@gpu1:2222");
  auto is = [](const Error& err, ErrorCode code, const char* words, const char* fix) {
    EXPECT_EQ(err.code(), code) << err.what();
    EXPECT_NE(std::string(err.what()).find(words), std::string::npos) << err.what();
    EXPECT_NE(err.hint().find(fix), std::string::npos) << err.hint();
  };
  is(ssh_failure(e, "alice@127.0.0.1: Permission denied (publickey).\n", -1), ErrorCode::EnginePermission,
     "refused the login to gpu1", "authorized_keys");
  is(ssh_failure(e, "ssh: Could not resolve hostname gpu1: Name or service not known\n", 255), ErrorCode::EngineUnavailable,
     "cannot resolve", "HostName");
  is(ssh_failure(e, "ssh: connect to host gpu1 port 2222: Connection refused\n", 255), ErrorCode::EngineUnavailable,
     "nothing accepts ssh connections", "sshd");
  is(ssh_failure(e, "ssh: connect to host gpu1 port 2222: Connection timed out\n", 255), ErrorCode::EngineUnavailable,
     "cannot be reached", "ProxyJump");
  is(ssh_failure(e, "Host key verification failed.\n", 255), ErrorCode::EnginePermission, "host key", "known_hosts");
  is(ssh_failure(e, "bash: line 1: docker: command not found\n", 127), ErrorCode::EngineUnavailable,
     "has no docker command", "apt-get install docker.io");
  is(ssh_failure(e, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n", 1),
     ErrorCode::EngineUnavailable, "not running", "systemctl start docker");
  is(ssh_failure(e, "permission denied while trying to connect to the docker API at unix:///var/run/docker.sock\n", 1),
     ErrorCode::EnginePermission, "may not use Docker on gpu1", "usermod -aG docker alice");
}

}  // namespace
}  // namespace dlc::engine
