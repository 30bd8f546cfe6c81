#include "integration/remote_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "integration/features_support.h"
#include "integration/support.h"
#include "support/error.h"

namespace dlc::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

void write(const fs::path& p, const std::string& text, fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
  std::ofstream(p) << text;
  fs::permissions(p, perms);
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs a command line (a test's own setup); its output when it fails, "" when it succeeds.
std::string sh(const std::string& line, int timeout_seconds = 120) {
  auto r = run({"/bin/sh", "-c", line}, RunOptions{.timeout_seconds = timeout_seconds});
  return r.status == 0 ? std::string() : "`" + line + "` failed (" + std::to_string(r.status) + "): " + r.err + r.out;
}

// Starts a program in a session of its own with its output in `log`; its pid.
int spawn(const std::vector<std::string>& argv, const fs::path& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(null, 0), ::dup2(fd, 1), ::dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// Ends a process this test started, and waits for it (SIGKILL after 20 s).
void stop(int pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 400; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(50ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

std::string suffix() {
  std::random_device rd;
  return std::to_string(rd() % 100000);
}

}  // namespace

Scratch::Scratch(const std::string& name) {
  path_ = fs::temp_directory_path() / ("dlc-" + name + "-" + std::to_string(::getpid()) + "-" + suffix());
  fs::create_directories(path_);
  fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                             fs::perms::others_exec);
}

Scratch::~Scratch() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void make_certificates(const fs::path& dir) {
  std::string d = dir.string();
  std::string key = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  std::string out = sh("cd " + d + " && " +
                       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -out ca.pem "
                       "-days 2 -subj '/CN=dlcontainer test CA' && " +
                       key + " -keyout server-key.pem -out server.csr -subj /CN=127.0.0.1 && "
                       "printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext && "
                       "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem "
                       "-days 2 -extfile server.ext && " +
                       key + " -keyout key.pem -out client.csr -subj /CN=client && "
                       "printf 'extendedKeyUsage=clientAuth\\n' > client.ext && "
                       "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem "
                       "-days 2 -extfile client.ext");
  if (!out.empty()) throw Error(ErrorCode::Internal, out);
}

// ---- TlsEngine -----------------------------------------------------------------------------

TlsEngine::TlsEngine(const std::vector<std::string>& images) : dir_("tls-engine") {
  const fs::path d = dir_.path();
  try {
    make_certificates(d);
  } catch (const Error& e) {
    why_ = e.what();
    return;
  }
  fs::create_directories(d / "hidden");
  bridge_.emplace("dlct", 253);
  if (!bridge_->error().empty()) {
    why_ = bridge_->error();
    return;
  }
  port_ = free_loopback_port();
  // In a mount namespace of its own, where hidden/ is an empty tmpfs: the engine's host lacks the
  // folders made there, as another machine would.
  std::string dockerd = "mount -t tmpfs tmpfs " + (d / "hidden").string() + " && exec dockerd --data-root " + (d / "data").string() +
                        " --exec-root " + (d / "exec").string() + " --pidfile " + (d / "dockerd.pid").string() +
                        " -H tcp://127.0.0.1:" + std::to_string(port_) + " -H unix://" + (d / "docker.sock").string() +
                        " --tlsverify --tlscacert " + (d / "ca.pem").string() + " --tlscert " + (d / "server-cert.pem").string() +
                        " --tlskey " + (d / "server-key.pem").string() + " --bridge=" + bridge_->name() + " --iptables=false --ip-masq=false";
  pid_ = spawn({"unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", dockerd}, d / "dockerd.log");
  for (int i = 0; i < 240; ++i) {
    try {
      engine::Engine::connect(engine::Endpoint::parse(unix_url(), "test"));
      break;
    } catch (const Error&) {
      std::this_thread::sleep_for(250ms);
    }
    if (i == 239) why_ = "the test's dockerd did not start: " + read(d / "dockerd.log").substr(0, 2000);
  }
  for (const auto& image : images) {
    if (!why_.empty()) break;
    why_ = sh("docker -H unix:///var/run/docker.sock save " + image + " | docker -H " + unix_url() + " load -q", 300);
  }
}

TlsEngine::~TlsEngine() {
  if (pid_ > 0) {
    // Its containers end with it (no live-restore); its files are the test's.
    try {
      auto e = engine();
      for (const auto& c : e.list_containers({}, true)) e.remove_container(c.id, true, true);
    } catch (const Error&) {
    }
    stop(pid_);
  }
}

std::string TlsEngine::url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
fs::path TlsEngine::cert_dir() const { return dir_.path(); }
std::string TlsEngine::unix_url() const { return "unix://" + (dir_.path() / "docker.sock").string(); }
fs::path TlsEngine::hidden_dir() const { return dir_.path() / "hidden"; }
std::map<std::string, std::string> TlsEngine::env() const {
  return {{"DOCKER_TLS_VERIFY", "1"}, {"DOCKER_CERT_PATH", cert_dir().string()}};
}
engine::Engine TlsEngine::engine() const { return engine::Engine::connect(engine::Endpoint::parse(unix_url(), "test")); }

// ---- SshServer -----------------------------------------------------------------------------

SshServer::SshServer() : dir_("sshd") {
  const fs::path d = dir_.path();
  std::string s = suffix();
  user_ = "dlcr" + s;
  nodocker_ = "dlcn" + s;
  fs::create_directories(d / "keys");
  fs::create_directories(d / "bin");
  fs::create_directories(d / "run");
  fs::permissions(d / "run", fs::perms::owner_all);
  port_ = free_loopback_port();
  why_ = sh("ssh-keygen -q -t ed25519 -N '' -f " + (d / "host_key").string() + " && ssh-keygen -q -t ed25519 -N '' -f " +
            (d / "id_ed25519").string() + " && useradd -M -d " + (d / "home").string() + " -s /bin/sh -G docker " + user_ +
            " && usermod -p '*' " + user_ + " && useradd -M -d " + (d / "home").string() + " -s /bin/sh " + nodocker_ +
            " && usermod -p '*' " + nodocker_ + " && mkdir -p /run/sshd");
  if (!why_.empty()) return;
  std::string pub = read(d / "id_ed25519.pub");
  write(d / "keys" / user_, pub, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  write(d / "keys" / nodocker_, pub, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  write(d / "sshd_config",
        "Port " + std::to_string(port_) + "\nListenAddress 127.0.0.1\nHostKey " + (d / "host_key").string() +
            "\nPidFile " + (d / "sshd.pid").string() + "\nAuthorizedKeysFile " + (d / "keys").string() +
            "/%u\nStrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nAllowUsers " + user_ +
            " " + nodocker_ + "\nMatch User " + nodocker_ + "\n  SetEnv PATH=/nonexistent\n");
  write(d / "known_hosts", "[127.0.0.1]:" + std::to_string(port_) + " " + read(d / "host_key.pub"));
  write(d / "ssh_config", "Host *\n  UserKnownHostsFile " + (d / "known_hosts").string() +
                              "\n  GlobalKnownHostsFile /dev/null\n  IdentityFile " + (d / "id_ed25519").string() +
                              "\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n");
  write(d / "bin" / "ssh", "#!/bin/sh\nexec /usr/bin/ssh -F " + (d / "ssh_config").string() + " \"$@\"\n", fs::perms::owner_all);
  pid_ = spawn({"/usr/sbin/sshd", "-D", "-e", "-f", (d / "sshd_config").string()}, d / "sshd.log");
  for (int i = 0; i < 100; ++i) {
    if (sh("/usr/bin/ssh -F " + (d / "ssh_config").string() + " -p " + std::to_string(port_) + " " + user_ + "@127.0.0.1 true", 20)
            .empty())
      return;
    std::this_thread::sleep_for(100ms);
  }
  why_ = "the test's sshd does not let its user in: " + read(d / "sshd.log").substr(0, 2000);
}

SshServer::~SshServer() {
  const fs::path d = dir_.path();
  // The master connections dlcontainer left for reuse: ended, so that no ssh outlives the test.
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(d / "run", ec)) {
    if (e.is_socket()) sh("/usr/bin/ssh -F " + (d / "ssh_config").string() + " -S " + e.path().string() + " -O exit x 2>/dev/null", 20);
  }
  stop(pid_);
  // Their sessions end with the connections above; userdel waits for that.
  for (const auto& u : {user_, nodocker_}) {
    for (int i = 0; !u.empty() && i < 100 && !sh("userdel " + u + " 2>&1").empty(); ++i) std::this_thread::sleep_for(100ms);
  }
}

std::string SshServer::url() const { return "ssh://" + user_ + "@127.0.0.1:" + std::to_string(port_); }
fs::path SshServer::bin_dir() const { return dir_.path() / "bin"; }
std::map<std::string, std::string> SshServer::env() const {
  const char* path = std::getenv("PATH");
  return {{"PATH", bin_dir().string() + ":" + (path ? path : "/usr/bin:/bin")}, {"XDG_RUNTIME_DIR", (dir_.path() / "run").string()}};
}

// ---- GitServer -----------------------------------------------------------------------------

GitServer::GitServer(const std::string& name, const std::map<std::string, std::string>& files) : dir_("git"), name_(name) {
  const fs::path d = dir_.path();
  const fs::path work = d / "work";
  for (const auto& [rel, text] : files) {
    fs::create_directories((work / rel).parent_path());
    write(work / rel, text, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  }
  port_ = free_loopback_port();
  const std::string git = "git -c user.name=test -c user.email=test@127.0.0.1 -c init.defaultBranch=main";
  why_ = sh("cd " + work.string() + " && " + git + " init -q && " + git + " add -A && " + git + " commit -q -m paper && " + git +
            " clone -q --bare " + work.string() + " " + (d / "repos" / (name + ".git")).string());
  if (!why_.empty()) return;
  pid_ = spawn({"git", "daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1", "--port=" + std::to_string(port_),
                "--base-path=" + (d / "repos").string(), (d / "repos").string()},
               d / "daemon.log");
  for (int i = 0; i < 100; ++i) {
    if (sh("git ls-remote " + url() + " >/dev/null 2>&1", 20).empty()) return;
    std::this_thread::sleep_for(100ms);
  }
  why_ = "the test's git daemon does not answer: " + read(d / "daemon.log").substr(0, 2000);
}

GitServer::~GitServer() { stop(pid_); }

std::string GitServer::url() const { return "git://127.0.0.1:" + std::to_string(port_) + "/" + name_ + ".git"; }

}  // namespace dlc::testing
