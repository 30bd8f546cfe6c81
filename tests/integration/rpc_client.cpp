#include "integration/rpc_client.h"
#include "integration/support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace dlc::testing {

namespace {

pid_t spawn(const std::vector<std::string>& args, int stdin_fd, int stdout_fd) {
  const std::string& cache = test_cache_dir();  // before fork: nothing is made in the child
  pid_t pid = ::fork();
  if (pid == 0) {
    if (stdin_fd >= 0) ::dup2(stdin_fd, 0);
    if (stdout_fd >= 0) ::dup2(stdout_fd, 1);
    ::setenv("NO_COLOR", "1", 1);
    ::setenv("XDG_CACHE_HOME", cache.c_str(), 0);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::vector<std::string> serve_args(std::vector<std::string> tail) {
  std::vector<std::string> args{dlc_binary(), "serve"};
  args.insert(args.end(), tail.begin(), tail.end());
  return args;
}

int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::unique_ptr<ServerProcess> ServerProcess::socket(const std::string& path, std::vector<std::string> extra) {
  auto p = std::make_unique<ServerProcess>();
  std::vector<std::string> tail{"--socket", path};
  tail.insert(tail.end(), extra.begin(), extra.end());
  p->pid_ = spawn(serve_args(tail), -1, -1);
  for (int i = 0; i < 200; ++i) {
    int fd = connect_unix(path);
    if (fd >= 0) {
      ::close(fd);
      return p;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "the server never accepted on " << path;
  return p;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && status_ < 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

int ServerProcess::wait(std::chrono::seconds limit) {
  if (status_ >= 0) return status_;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

int ServerProcess::stop(int sig, std::chrono::seconds limit) {
  if (status_ < 0) ::kill(pid_, sig);
  return wait(limit);
}

std::unique_ptr<RpcClient> RpcClient::stdio(std::vector<std::string> extra) {
  std::vector<std::string> tail{"--stdio"};
  tail.insert(tail.end(), extra.begin(), extra.end());
  return command(serve_args(tail));
}

std::unique_ptr<RpcClient> RpcClient::command(const std::vector<std::string>& argv) {
  int to_server[2], from_server[2];
  if (::pipe2(to_server, O_CLOEXEC) != 0 || ::pipe2(from_server, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::unique_ptr<RpcClient> c(new RpcClient);
  c->process_ = std::make_unique<ServerProcess>();
  c->process_->pid_ = spawn(argv, to_server[0], from_server[1]);
  ::close(to_server[0]);
  ::close(from_server[1]);
  c->write_fd_ = to_server[1];
  c->read_fd_ = from_server[0];
  return c;
}

std::unique_ptr<RpcClient> RpcClient::connect(const std::string& path) {
  int fd = connect_unix(path);
  if (fd < 0) throw std::runtime_error("cannot connect to " + path + ": " + std::strerror(errno));
  std::unique_ptr<RpcClient> c(new RpcClient);
  c->write_fd_ = fd;
  c->read_fd_ = fd;
  return c;
}

RpcClient::~RpcClient() {
  if (write_fd_ >= 0) ::close(write_fd_);
  if (read_fd_ >= 0 && read_fd_ != write_fd_) ::close(read_fd_);
}

void RpcClient::send_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(write_fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(write_fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot write to the server: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void RpcClient::send(const json& message) { send_raw(rpc::frame(message.dump())); }

json RpcClient::send_request(const std::string& method, json params) {
  json id = next_id_++;
  send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
  return id;
}

void RpcClient::notify(const std::string& method, json params) {
  send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

json RpcClient::call(const std::string& method, json params, std::chrono::seconds limit) {
  return wait_response(send_request(method, std::move(params)), limit);
}

void RpcClient::initialize() {
  auto r = call("initialize", {{"processId", ::getpid()}, {"clientInfo", {{"name", "gtest"}}}, {"capabilities", json::object()}});
  ASSERT_TRUE(r.contains("result")) << r;
  notify("initialized");
}

bool RpcClient::read_some(std::chrono::milliseconds limit) {
  if (eof_) return false;
  pollfd p{read_fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
  char buf[65536];
  ssize_t n = ::read(read_fd_, buf, sizeof buf);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  frames_.feed(
      std::string_view(buf, static_cast<std::size_t>(n)),
      [&](std::string&& body) { inbox_.push_back(json::parse(body)); },
      [&](const std::string& why) { ADD_FAILURE() << "the server sent a bad frame: " << why; });
  return true;
}

std::optional<json> RpcClient::next(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (inbox_.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || eof_) return std::nullopt;
    read_some(left);
  }
  json m = std::move(inbox_.front());
  inbox_.pop_front();
  if (m.contains("method")) {
    notifications_.push_back(m);
  } else {
    responses_.push_back(m);
  }
  return m;
}

json RpcClient::wait_response(const json& id, std::chrono::seconds limit) {
  for (const auto& r : responses_) {
    if (r.value("id", json()) == id) return r;
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!m) break;
    if (!m->contains("method") && m->value("id", json()) == id) return *m;
  }
  ADD_FAILURE() << "no response to request " << id << " within " << limit.count() << " s";
  return json::object();
}

json RpcClient::wait_notification(const std::function<bool(const json&)>& match, std::chrono::seconds limit) {
  for (const auto& n : notifications_) {
    if (match(n)) return n;
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!m) break;
    if (m->contains("method") && match(*m)) return *m;
  }
  ADD_FAILURE() << "no matching notification within " << limit.count() << " s";
  return json::object();
}

bool RpcClient::wait_unread(std::size_t bytes, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int unread = 0;
    if (::ioctl(read_fd_, FIONREAD, &unread) == 0 && static_cast<std::size_t>(unread) >= bytes) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void RpcClient::close_input() {
  if (write_fd_ == read_fd_) {
    ::shutdown(write_fd_, SHUT_WR);
  } else if (write_fd_ >= 0) {
    ::close(write_fd_);
    write_fd_ = -1;
  }
}

bool RpcClient::wait_closed(std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!eof_ && std::chrono::steady_clock::now() < deadline) {
    if (!next(std::chrono::milliseconds(100)) && eof_) break;
  }
  return eof_;
}

}  // namespace dlc::testing
