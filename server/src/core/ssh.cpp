#include "core/ssh.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/container_plan.h"
#include "core/ide_container.h"
#include "engine/build_context.h"
#include "services/agent_inject.h"
#include "support/files.h"
#include "support/error.h"
#include "support/ssh_keys.h"

namespace dlc::core {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string read_text(const fs::path& p) { return read_file(p.string()).value_or(""); }

// The file is made with these permissions, before a byte of a key is in it (less the umask).
void write_private(const fs::path& p, const std::string& content, fs::perms perms) {
  if (!write_file_atomically(p.string(), content, static_cast<mode_t>(perms))) {
    throw Error(ErrorCode::Internal, "cannot write " + p.string(), "check that your state folder is writable");
  }
}

// A key pair kept as <dir>/<name> and <dir>/<name>.pub, made once.
SshKeyPair key_pair(const fs::path& dir, const std::string& name, const std::string& comment) {
  fs::path priv = dir / name, pub = dir / (name + ".pub");
  if (fs::exists(priv) && fs::exists(pub)) {
    std::string p = read_text(pub);
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    return SshKeyPair{read_text(priv), p};
  }
  auto keys = generate_ed25519_key(comment);
  write_private(priv, keys.private_key, fs::perms::owner_read | fs::perms::owner_write);
  write_private(pub, keys.public_key + "\n", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  return keys;
}

// sshd_config and ssh_config arguments: double-quoted when they hold a space.
std::string config_word(const std::string& s) { return s.find_first_of(" \t") == std::string::npos ? s : "\"" + s + "\""; }

// Whether something that speaks SSH answers there: the port proxy accepts connections before sshd
// listens, so the banner is what counts.
bool ssh_banner(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string got;
    char buf[256];
    for (int i = 0; i < 10 && got.size() < 8; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    ok = got.starts_with("SSH-2.0-");
  }
  ::close(fd);
  return ok;
}

// The same check through the agent, for a container on a remote engine.
bool ssh_banner_through_agent(const engine::Engine& engine, const std::string& container_id, int port, const CancelToken& cancel) {
  engine::ExecSpec spec;
  spec.cmd = services::agent_command(services::ensure_agent(engine, container_id), {"connect", "127.0.0.1", std::to_string(port)});
  spec.attach_stdin = true;
  engine::ExecIO io;
  io.stdin_data = "";  // closed at once: sshd has sent its banner by then, and ends the connection
  std::string got;
  io.on_stdout = [&](std::string_view d) { got.append(d.substr(0, 64)); };
  try {
    engine.run_exec(container_id, spec, io, cancel);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Cancelled) throw;
    return false;
  }
  return got.starts_with("SSH-2.0-");
}

// A word for ssh's ProxyCommand line, which the user's shell reads.
std::string shell_word(const std::string& s) {
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-:@=+,") == std::string::npos) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The dlcontainer that ssh runs: $DLC_PROGRAM when a wrapper sets it (a packed binary beside its
// libraries), else this very program.
std::string program_path() {
  if (const char* p = std::getenv("DLC_PROGRAM"); p && *p == '/') return p;
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("dlcontainer") : self.string();
}

std::string proxy_command(const std::string& engine_url, const std::string& workspace, int port) {
  return shell_word(program_path()) + " --host " + shell_word(engine_url) + " forward --stdio -w " + shell_word(workspace) + " " +
         std::to_string(port);
}

std::map<std::string, std::string> session_environment(const engine::ContainerInfo& info, const ContainerMetadata& meta) {
  // PATH is sshd's and the login shell's to set (it ignores SetEnv PATH for a non-root user).
  static const std::set<std::string> kPerSession = {"HOME", "HOSTNAME", "USER", "LOGNAME", "SHELL", "TERM",
                                                    "SHLVL", "PWD", "MAIL", "PATH", "_"};
  std::map<std::string, std::string> env;
  auto add = [&](const std::string& kv) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return;
    std::string k = kv.substr(0, eq);
    if (!kPerSession.count(k)) env[k] = kv.substr(eq + 1);
  };
  for (const auto& kv : info.env) add(kv);
  for (const auto& kv : remote_environment(meta.remote_env, info.env)) add(kv);
  return env;
}

}  // namespace

fs::path ssh_state_dir(const std::string& host) {
  const char* state = std::getenv("XDG_STATE_HOME");
  fs::path base;
  if (state && *state == '/') {
    base = state;
  } else {
    const char* home = std::getenv("HOME");
    if (!home || !*home) throw Error(ErrorCode::Internal, "HOME is not set", "set HOME or XDG_STATE_HOME");
    base = fs::path(home) / ".local" / "state";
  }
  return base / "dlcontainer" / "ssh" / host;
}

std::string sshd_config_text(const std::string& user, const std::map<std::string, std::string>& env) {
  std::string dir = kSshdDir;
  std::string t =
      "# Written by dlcontainer (customizations.dlcontainer.ssh). Keys only; the port is published on the\n"
      "# host's loopback only. Run `dlcontainer ssh-config` to rewrite it.\n"
      "Port " + std::to_string(kSshContainerPort) + "\n"
      "HostKey " + dir + "/ssh_host_ed25519_key\n"
      "AuthorizedKeysFile " + dir + "/authorized_keys\n"
      "AllowUsers " + user + "\n"
      "PubkeyAuthentication yes\n"
      "PasswordAuthentication no\n"
      "KbdInteractiveAuthentication no\n"
      "PermitEmptyPasswords no\n"
      "PermitRootLogin prohibit-password\n"
      // PAM lets a user whose password is locked (useradd's default) in with a key.
      "UsePAM yes\n"
      "X11Forwarding no\n"
      "AllowTcpForwarding yes\n"
      "PrintMotd no\n"
      "PidFile /run/dlcontainer-sshd.pid\n"
      "Subsystem sftp internal-sftp\n";
  for (const auto& [k, v] : env) {
    // A value sshd_config cannot carry is left out rather than mangled.
    if (v.find_first_of("\"\\\n\r") != std::string::npos || k.find_first_of(" \t\"=") != std::string::npos) continue;
    t += "SetEnv " + config_word(k + "=" + v) + "\n";
  }
  return t;
}

std::string ssh_host_entry(const SshConfigResult& r) {
  std::string folder = r.workspace;
  for (char& c : folder) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::string reach = r.proxy_command.empty()
                          ? "  HostName " + r.host_name + "\n  Port " + std::to_string(r.port) + "\n"
                          : "  ProxyCommand " + r.proxy_command + "\n";
  return "# dlcontainer: " + folder + "\n"
         "Host " + r.host + "\n" + reach +
         "  User " + r.user + "\n"
         "  IdentityFile " + config_word(r.identity_file) + "\n"
         "  IdentitiesOnly yes\n"
         "  HostKeyAlias " + r.host + "\n"
         "  UserKnownHostsFile " + config_word(r.known_hosts_file) + "\n"
         "  StrictHostKeyChecking yes\n"
         "  PasswordAuthentication no\n"
         "  KbdInteractiveAuthentication no\n"
         "  ForwardAgent no\n";
}

void to_json(json& j, const SshConfigResult& r) {
  j = {{"workspace", r.workspace},       {"host", r.host},
       {"hostName", r.host_name},        {"port", r.port},
       {"user", r.user},                 {"identityFile", r.identity_file},
       {"knownHostsFile", r.known_hosts_file}, {"containerId", r.container_id},
       {"recreated", r.recreated},       {"config", r.config_text},
       {"configFile", r.config_file}};
  if (!r.proxy_command.empty()) j["proxyCommand"] = r.proxy_command;
}

SshConfigResult ssh_config(Workspaces& workspaces, const SshConfigParams& params, ProgressSink& progress,
                           const CancelToken& cancel) {
  fs::path folder = workspace_folder(params.workspace);
  WorkspaceContext ws = load_workspace(folder, params.config);
  if (!ssh_enabled(ws.config)) {
    throw Error(ErrorCode::ConfigInvalid, "SSH is off for " + folder.string(),
                "add \"customizations\": {\"dlcontainer\": {\"ssh\": true}} to " + ws.config.config_file +
                    ", then run `dlcontainer ssh-config` again");
  }
  const auto& engine = workspaces.engine();
  auto ensured = ensure_ide_container(workspaces, folder, params.config, nullptr, progress, cancel);
  const auto& info = ensured.info;
  auto meta = read_metadata(info.labels);

  SshConfigResult r;
  r.workspace = folder.string();
  r.host = ws.container_name;
  r.container_id = info.id;
  r.recreated = ensured.recreated;
  r.user = meta.remote_user.empty() ? "root" : meta.remote_user;
  const bool remote = !engine.endpoint().local();
  for (const auto& p : info.ports) {
    if (p.container_port == kSshContainerPort && p.protocol == "tcp") r.port = p.host_port;
  }
  if (remote) {
    // Its published port is on that engine's loopback: ssh goes through dlcontainer instead.
    r.port = kSshContainerPort;
    r.host_name = r.host;
    r.proxy_command = proxy_command(engine.endpoint().url(), folder.string(), kSshContainerPort);
  }
  if (r.port == 0) throw Error(ErrorCode::EngineError, "the SSH port is not published", "run `dlcontainer up --rebuild`");

  auto sshd = run_collected(engine, info.id, engine::ExecSpec{.cmd = {"/bin/sh", "-c", "test -x /usr/sbin/sshd"}, .user = "0"}, cancel);
  if (sshd.status != 0) {
    throw Error(ErrorCode::CommandFailed, "the image has no OpenSSH server (/usr/sbin/sshd)",
                "install it in the image: RUN apt-get update && apt-get install -y openssh-server");
  }

  // The keys: the user's, and the container's host key, both made here so the host key can be
  // pinned in known_hosts before the first connection (no "authenticity of host" question).
  fs::path dir = ssh_state_dir(r.host);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);
  auto user_key = key_pair(dir, "id_ed25519", "dlcontainer " + r.host);
  auto host_key = key_pair(dir, "ssh_host_ed25519_key", "dlcontainer host " + r.host);
  r.identity_file = (dir / "id_ed25519").string();
  r.known_hosts_file = (dir / "known_hosts").string();
  write_private(r.known_hosts_file, r.host + " " + host_key.public_key + "\n",
                fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);

  progress.begin("Starting the SSH server in the container");
  auto mkdir = run_collected(engine, info.id,
                             engine::ExecSpec{.cmd = {"/bin/sh", "-c", std::string("mkdir -p ") + kSshdDir + " /run/sshd && chmod 0755 /run/sshd"},
                                              .user = "0"},
                             cancel);
  if (mkdir.status != 0) throw Error(ErrorCode::CommandFailed, "cannot prepare " + std::string(kSshdDir) + ": " + mkdir.err);
  engine.put_archive(info.id, kSshdDir,
                     engine::tar_files({{"sshd_config", sshd_config_text(r.user, session_environment(info, meta)), 0644},
                                        {"ssh_host_ed25519_key", host_key.private_key, 0600},
                                        {"ssh_host_ed25519_key.pub", host_key.public_key + "\n", 0644},
                                        {"authorized_keys", user_key.public_key + "\n", 0644}}));
  // Checked first, so that a bad config is reported rather than a dead daemon; a running sshd
  // re-reads its files on HUP and keeps open sessions.
  std::string start = std::string("set -e; cfg=") + kSshdDir + "/sshd_config; /usr/sbin/sshd -t -f \"$cfg\"; "
                      "pid=$(cat /run/dlcontainer-sshd.pid 2>/dev/null || true); "
                      "if [ -n \"$pid\" ] && kill -0 \"$pid\" 2>/dev/null; then kill -HUP \"$pid\"; "
                      "else /usr/sbin/sshd -f \"$cfg\" -E /var/log/dlcontainer-sshd.log; fi";
  auto started = run_collected(engine, info.id, engine::ExecSpec{.cmd = {"/bin/sh", "-c", start}, .user = "0"}, cancel);
  if (started.status != 0) {
    throw Error(ErrorCode::CommandFailed, "sshd did not start in the container: " + started.err + started.out,
                "see /var/log/dlcontainer-sshd.log in the container (`dlcontainer exec -u root -- cat /var/log/dlcontainer-sshd.log`)");
  }
  bool answered = false;
  for (int i = 0; i < 50 && !answered; ++i) {
    cancel.throw_if_cancelled();
    answered = remote ? ssh_banner_through_agent(engine, info.id, kSshContainerPort, cancel) : ssh_banner(r.port);
    if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  progress.end();
  if (!answered) {
    throw Error(ErrorCode::CommandFailed, "sshd does not answer on 127.0.0.1:" + std::to_string(r.port),
                "see /var/log/dlcontainer-sshd.log in the container");
  }
  r.config_text = ssh_host_entry(r);
  // Also kept as a file, for `ssh -F FILE` and for `Include` in ~/.ssh/config (OpenSSH closes
  // inherited descriptors before it reads -F, so `ssh -F <(dlcontainer ssh-config)` cannot work).
  r.config_file = (dir / "config").string();
  write_private(r.config_file, r.config_text,
                fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  return r;
}

}  // namespace dlc::core
