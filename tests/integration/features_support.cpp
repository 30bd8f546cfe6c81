#include "integration/features_support.h"

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

#include "support/hash.h"

namespace dlc::testing {

namespace fs = std::filesystem;

namespace {

// Starts a program in its own process group, its output into log; returns its pid.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

void stop(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(-pid, SIGTERM);
  for (int i = 0; i < 50; ++i) {  // up to 5 s, then it is killed
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

bool on_path(const std::string& program) {
  return run({"sh", "-c", "command -v " + program}).status == 0;
}

}  // namespace

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string devcontainer_cli() { return std::string(DLC_SOURCE_DIR) + "/tests/node/node_modules/.bin/devcontainer"; }

FeatureImages::~FeatureImages() {
  try {
    for (const char* label : {"dev.dlcontainer.workspace", "devcontainer.local_folder"}) {
      for (const auto& c : engine_.list_containers({{label, folder_}})) {
        if (auto info = engine_.inspect_container(c.id))
          for (const auto& m : info->mounts)
            if (m.type == "volume" && m.source.starts_with("dlc-feature-test-")) volumes_.push_back(m.source);
        engine_.remove_container(c.id, true, true);
      }
    }
    for (const auto& image : engine_.list_images({{"dev.dlcontainer.built-for", folder_}})) engine_.remove_image(image.id, true);
    // The reference CLI's images for this folder: vsc-<name>-<sha256 of the folder>-features (and -uid).
    std::string prefix = "vsc-" + fs::path(folder_).filename().string() + "-" + sha256_hex(folder_);
    for (const auto& image : engine_.list_images())
      for (const auto& tag : image.repo_tags)
        if (tag.starts_with(prefix)) engine_.remove_image(tag, true);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cleaning up after " << folder_ << ": " << e.what();
  }
  for (const auto& v : volumes_) run({"docker", "volume", "rm", "-f", v});
}

void copy_replacing(const fs::path& from_dir, const fs::path& to_dir, const std::string& from, const std::string& to) {
  for (const auto& entry : fs::recursive_directory_iterator(from_dir)) {
    fs::path target = to_dir / entry.path().lexically_relative(from_dir);
    if (entry.is_directory()) {
      fs::create_directories(target);
      continue;
    }
    fs::create_directories(target.parent_path());
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (std::size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
    std::ofstream(target, std::ios::binary) << text;
    fs::permissions(target, fs::status(entry.path()).permissions());
  }
}

LocalRegistry::LocalRegistry(std::string* why) {
  for (const char* tool : {"docker-registry", "node", "openssl"}) {
    if (!on_path(tool)) {
      *why = std::string(tool) + " is not installed (scripts/setup.sh installs it)";
      return;
    }
  }
  if (!fs::exists(devcontainer_cli())) {
    *why = "the devcontainer CLI is not installed: run npm ci in tests/node";
    return;
  }
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("dlc-registry-" + std::to_string(rd()));
  fs::create_directories(dir_ / "storage");
  auto key = dir_ / "token.key", cert = dir_ / "token.crt";
  auto made = run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(), "-out", cert.string(),
                   "-days", "1", "-subj", "/CN=dlc-test-token"});
  if (made.status != 0) {
    *why = "openssl could not make the token key: " + made.err;
    return;
  }
  token_pid_ = spawn({"node", std::string(DLC_SOURCE_DIR) + "/tests/features/token-server.mjs", key.string(), cert.string(),
                      "dlc-test-issuer"},
                     dir_ / "token.log");
  int token_port = 0;
  for (int i = 0; i < 300 && token_port == 0; ++i) {  // node starts in a few seconds on a busy machine
    std::ifstream in(dir_ / "token.log");
    in >> token_port;
    if (token_port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (token_port == 0) {
    *why = "the token service did not start (see " + (dir_ / "token.log").string() + ")";
    return;
  }
  port_ = free_loopback_port();
  std::ofstream(dir_ / "config.yml") << "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: "
                                      << (dir_ / "storage").string() << "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:"
                                      << port_ << "\nauth:\n  token:\n    realm: http://127.0.0.1:" << token_port
                                      << "/token\n    service: dlc-test-registry\n    issuer: dlc-test-issuer\n"
                                      << "    rootcertbundle: " << cert.string() << "\n";
  registry_pid_ = spawn({"docker-registry", "serve", (dir_ / "config.yml").string()}, dir_ / "registry.log");
  for (int i = 0; i < 300 && !accepts(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!accepts(port_)) {
    *why = "docker-registry did not listen on 127.0.0.1:" + std::to_string(port_);
    stop(registry_pid_);
  }
}

LocalRegistry::~LocalRegistry() {
  stop(registry_pid_);
  stop(token_pid_);
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

ServedFolder::ServedFolder(const fs::path& folder, int port) {
  pid_ = spawn({"python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", folder.string(), std::to_string(port)},
               folder.parent_path() / "http-server.log");
  for (int i = 0; i < 300 && !accepts(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (!accepts(port)) stop(pid_);
}

ServedFolder::~ServedFolder() { stop(pid_); }

RunResult LocalRegistry::publish(const fs::path& src, const std::string& ns) const {
  fs::path staged = dir_ / ("src-" + std::to_string(free_loopback_port()));
  copy_replacing(src, staged, "localhost:REGISTRY", host());
  RunOptions o;
  o.timeout_seconds = 300;
  return run({"node", devcontainer_cli(), "features", "publish", staged.string(), "-r", host(), "-n", ns}, o);
}

}  // namespace dlc::testing
