#include "integration/private_engine.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "integration/support.h"
#include "support/error.h"
#include "support/files.h"

namespace dlc::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool exited_within(pid_t pid, std::chrono::seconds limit) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// A daemon of an earlier run that was killed with its test: its pidfile is in our own data folder.
void stop_leftover(const fs::path& pidfile) {
  auto text = read_file(pidfile.string());
  if (!text) return;
  int pid = std::atoi(text->c_str());
  if (pid > 1 && ::kill(pid, SIGTERM) == 0) {
    for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(50ms);
  }
}

}  // namespace

TestBridge::TestBridge(const std::string& prefix, int second_octet) : name_(prefix + std::to_string(::getpid() % 100000)) {
  std::string subnet = "10." + std::to_string(second_octet) + "." + std::to_string(::getpid() % 250 + 1) + ".1/24";
  auto made = run({"sh", "-c", "ip link add name " + name_ + " type bridge && ip addr add " + subnet + " dev " + name_ +
                                   " && ip link set " + name_ + " up"});
  if (made.status != 0) {
    error_ = "cannot make the bridge " + name_ + ": " + made.err;
    run({"ip", "link", "del", name_});
  }
}

TestBridge::~TestBridge() { run({"ip", "link", "del", name_}); }

PrivateEngine::PrivateEngine() {
  if (::geteuid() != 0) {
    why_ = "a second dockerd needs root";
    return;
  }
  if (run({"sh", "-c", "command -v dockerd"}).status != 0) {
    why_ = "dockerd is not installed";
    return;
  }
  data_ = fs::path(DLC_FAULT_ENGINE_DIR);
  run_ = fs::path("/tmp") / ("dlcf-" + std::to_string(::getpid()));
  socket_ = run_ / "docker.sock";
  fs::create_directories(data_);
  stop_leftover(data_ / "docker.pid");
  fs::create_directories(run_);
  bridge_.emplace("dlcf", 254);
  if (!bridge_->error().empty()) {
    why_ = bridge_->error();
    return;
  }
  if (const char* h = std::getenv("DOCKER_HOST")) old_host_ = h;
  start();
  ::setenv("DOCKER_HOST", host().c_str(), 1);
}

PrivateEngine::~PrivateEngine() {
  if (!why_.empty()) return;
  thaw();
  try {
    auto e = engine();
    for (const auto& c : e.list_containers({})) e.remove_container(c.id, true, true);
  } catch (const Error&) {
  }
  stop();
  if (old_host_) ::setenv("DOCKER_HOST", old_host_->c_str(), 1);
  else ::unsetenv("DOCKER_HOST");
  std::error_code ec;
  fs::remove_all(run_, ec);
}

engine::Engine PrivateEngine::engine() const { return engine::Engine::connect(engine::Endpoint::parse(host())); }

void PrivateEngine::start() {
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setsid();
    int log = ::open((run_ / "dockerd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    ::dup2(log, 1), ::dup2(log, 2);
    std::string data = "--data-root=" + data_.string(), exec = "--exec-root=" + (run_ / "exec").string(),
                pidfile = "--pidfile=" + (data_ / "docker.pid").string(), host = "--host=unix://" + socket_.string();
    std::string bridge = "--bridge=" + bridge_->name();
    ::execlp("dockerd", "dockerd", data.c_str(), exec.c_str(), pidfile.c_str(), host.c_str(), bridge.c_str(),
             "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--log-level=warn", nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 600; ++i) {  // 60 s: a cold start on a busy machine
    try {
      engine();
      return;
    } catch (const Error&) {
    }
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(100ms);
  }
  why_ = "the private dockerd did not start: " + read_file((run_ / "dockerd.log").string()).value_or("(no log)");
}

void PrivateEngine::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!exited_within(pid_, 60s)) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

void PrivateEngine::freeze() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void PrivateEngine::thaw() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void PrivateEngine::load_image(const std::string& ref) {
  auto shared = engine::Engine::connect(old_host_ ? engine::Endpoint::parse(*old_host_) : engine::Endpoint{});
  auto wanted = shared.inspect_image(ref);
  ASSERT_TRUE(wanted) << ref << " is not on the shared engine (tests/images/build.sh builds it)";
  auto have = engine().inspect_image(ref);
  if (have && have->id == wanted->id) return;
  std::string shared_host = old_host_ ? *old_host_ : "unix:///var/run/docker.sock";
  auto r = run({"sh", "-c", "docker -H " + shared_host + " save '" + ref + "' | docker -H " + host() + " load -q"},
               RunOptions{.timeout_seconds = 600});
  ASSERT_EQ(r.status, 0) << r.err;
}

}  // namespace dlc::testing
