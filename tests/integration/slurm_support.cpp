#include "integration/slurm_support.h"

#include "integration/podman_support.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

namespace dlc::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Native overlay works rootless here (Podman's rootless default without a storage.conf is vfs).
constexpr const char* kStorageConf = "[storage]\ndriver = \"overlay\"\n";

std::string short_hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::string s = name;
  return s.substr(0, s.find('.'));
}

pid_t pid_in(const fs::path& file) {
  pid_t pid = 0;
  std::ifstream(file) >> pid;
  return pid;
}

void kill_and_wait(pid_t pid) {
  if (pid <= 1) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(100ms);
  if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
}

std::string tail(const fs::path& file) {
  std::ifstream in(file);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  return s.size() > 1500 ? s.substr(s.size() - 1500) : s;
}

}  // namespace

SlurmCluster::SlurmCluster() {
  if (::geteuid() != 0) {
    why_ = "the Slurm tests need root (to start munged, slurmctld and slurmd, and make the test user)";
    return;
  }
  for (const char* tool : {"munged", "slurmctld", "slurmd", "sbatch", "podman"}) {
    if (run({"sh", "-c", std::string("command -v ") + tool}).status != 0) {
      why_ = std::string(tool) + " is not installed (apt-get install slurmctld slurmd slurm-client munge podman uidmap)";
      return;
    }
  }
  char tmpl[] = "/tmp/dlc-slurm-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  ::chmod(dir_.c_str(), 0755);
  conf_ = dir_ / "slurm.conf";
  if (start_munge() && make_user() && start_slurm()) return;
}

SlurmCluster::~SlurmCluster() { stop(); }

bool SlurmCluster::start_munge() {
  // munged wants its socket's folder reachable by all and its key readable by it alone.
  fs::path m = dir_ / "munge";
  fs::create_directories(m);
  {
    std::random_device rd;
    std::ofstream key(m / "munge.key", std::ios::binary);
    for (int i = 0; i < 128; ++i) key.put(static_cast<char>(rd()));
  }
  passwd* pw = ::getpwnam("munge");
  if (!pw) {
    why_ = "the munge package made no munge user";
    return false;
  }
  if (::chown(m.c_str(), pw->pw_uid, pw->pw_gid) != 0 || ::chown((m / "munge.key").c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    why_ = "chown of the munge folder failed";
    return false;
  }
  ::chmod(m.c_str(), 0755);
  ::chmod((m / "munge.key").c_str(), 0400);
  auto r = run({"runuser", "-u", "munge", "--", "munged", "--socket=" + (m / "munge.socket").string(),
                "--key-file=" + (m / "munge.key").string(), "--pid-file=" + (m / "munged.pid").string(),
                "--log-file=" + (m / "munged.log").string(), "--seed-file=" + (m / "seed").string()});
  if (r.status != 0) {
    why_ = "munged did not start: " + r.err;
    return false;
  }
  return true;
}

bool SlurmCluster::start_slurm() {
  if (::mknod((dir_ / "gpu0").c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) {
    why_ = "mknod of the placeholder GPU device failed";
    return false;
  }
  fs::create_directories(dir_ / "state");
  fs::create_directories(dir_ / "spool");
  std::string host = short_hostname();
  std::ofstream conf(conf_);
  conf << "ClusterName=dlctest\n"
       << "SlurmctldHost=" << host << "(127.0.0.1)\n"
       << "SlurmctldPort=" << free_port() << "\nSlurmdPort=" << free_port() << "\n"
       << "SlurmUser=root\nAuthType=auth/munge\nCredType=cred/munge\n"
       << "AuthInfo=socket=" << (dir_ / "munge/munge.socket").string() << "\n"
       << "StateSaveLocation=" << (dir_ / "state").string() << "\nSlurmdSpoolDir=" << (dir_ / "spool").string() << "\n"
       << "SlurmctldPidFile=" << (dir_ / "slurmctld.pid").string() << "\nSlurmdPidFile=" << (dir_ / "slurmd.pid").string() << "\n"
       << "SlurmctldLogFile=" << (dir_ / "slurmctld.log").string() << "\nSlurmdLogFile=" << (dir_ / "slurmd.log").string() << "\n"
       // No cgroups to manage here: processes tracked by their parents, tasks left as they are.
       << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nJobAcctGatherType=jobacct_gather/none\n"
       << "AccountingStorageType=accounting_storage/none\nMpiDefault=none\nMailProg=/bin/true\n"
       << "SchedulerType=sched/backfill\nSelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
       << "GresTypes=gpu\nReturnToService=2\nKillWait=5\nMinJobAge=600\n"
       << "NodeName=" << kNode << " NodeHostname=" << host << " NodeAddr=127.0.0.1 CPUs=2 RealMemory=2048 Gres=gpu:1 State=UNKNOWN\n"
       << "PartitionName=" << kPartition << " Nodes=" << kNode << " Default=YES MaxTime=INFINITE State=UP\n";
  conf.close();
  std::ofstream(dir_ / "gres.conf") << "NodeName=" << kNode << " Name=gpu File=" << (dir_ / "gpu0").string() << "\n";
  if (auto r = run({"slurmctld", "-f", conf_.string()}); r.status != 0) {
    why_ = "slurmctld did not start: " + r.err + tail(dir_ / "slurmctld.log");
    return false;
  }
  if (auto r = run({"slurmd", "-f", conf_.string(), "-N", kNode}); r.status != 0) {
    why_ = "slurmd did not start: " + r.err + tail(dir_ / "slurmd.log");
    return false;
  }
  for (int i = 0; i < 300; ++i) {  // 30 s at most
    auto r = slurm({"sinfo", "--noheader", "--format=%T"});
    if (r.status == 0 && r.out.find("idle") != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  why_ = "the node did not become idle within 30 s: " + tail(dir_ / "slurmd.log") + tail(dir_ / "slurmctld.log");
  return false;
}

bool SlurmCluster::make_user() {
  user_ = "dlcsl" + std::to_string(::getpid() % 100000);
  // useradd gives the user subordinate uids/gids (login.defs SUB_UID_COUNT) for rootless Podman.
  if (auto r = run({"useradd", "-m", "-s", "/bin/sh", user_}); r.status != 0) {
    why_ = "useradd " + user_ + " failed: " + r.err;
    user_.clear();
    return false;
  }
  passwd* pw = ::getpwnam(user_.c_str());
  uid_ = pw->pw_uid, gid_ = pw->pw_gid, home_ = pw->pw_dir;
  if (run({"grep", "-q", "^" + user_ + ":", "/etc/subuid"}).status != 0) {
    why_ = "useradd gave " + user_ + " no subordinate uids (/etc/subuid); rootless Podman needs them";
    return false;
  }
  fs::create_directories(home_ / ".config/containers");
  std::ofstream(home_ / ".config/containers/containers.conf") << kPodmanContainersConf;
  std::ofstream(home_ / ".config/containers/storage.conf") << kStorageConf;
  run({"chown", "-R", user_ + ":" + user_, (home_ / ".config").string()});
  // The runtime folder the jobs' Podman uses too (the job script's, for a job given none): Podman's
  // database pins the first one it saw.
  fs::path runtime = runtime_dir();
  fs::create_directories(runtime);
  if (::chown(runtime.c_str(), uid_, gid_) != 0 || ::chmod(runtime.c_str(), 0700) != 0) {
    why_ = "cannot prepare " + runtime.string();
    return false;
  }
  // The test image, into the user's own storage (the nodes' Podman finds it there, as a shared home would give it).
  return load_image(kPythonImage);
}

bool SlurmCluster::load_image(const std::string& image) {
  fs::path tar = dir_ / "image.tar";
  if (auto r = run({"docker", "save", "-o", tar.string(), image}); r.status != 0) {
    why_ = "docker save " + image + " failed (tests/images/build.sh makes it): " + r.err;
    return false;
  }
  ::chmod(tar.c_str(), 0644);
  auto options = as_user();
  options.env["XDG_RUNTIME_DIR"] = runtime_dir();
  // Layers the storage holds already (the Python image's, under the services image) are skipped.
  options.timeout_seconds = 300;
  auto r = run({"podman", "load", "-q", "-i", tar.string()}, options);
  fs::remove(tar);
  if (r.status != 0) {
    why_ = "podman load " + image + " as " + user_ + " failed: " + r.err;
    return false;
  }
  return true;
}

RunOptions SlurmCluster::as_user() const {
  RunOptions o;
  o.uid = uid_;
  o.gid = gid_;
  o.cwd = home_;
  // support's run() sets HOME=/tmp for another user: the XDG folders keep Podman's storage, its
  // configuration and dlcontainer's records in the user's home, whichever way a command is run.
  o.env = {{"HOME", home_.string()}, {"USER", user_}, {"LOGNAME", user_}, {"SLURM_CONF", conf_.string()},
           {"XDG_STATE_HOME", (home_ / ".local/state").string()}, {"XDG_CONFIG_HOME", (home_ / ".config").string()},
           {"XDG_DATA_HOME", (home_ / ".local/share").string()}};
  o.unset_env = {"DOCKER_HOST", "CONTAINER_HOST", "XDG_RUNTIME_DIR", "DOCKER_CONTEXT", "CONTAINERS_CONF"};
  o.timeout_seconds = 600;
  return o;
}

RunResult SlurmCluster::dlc(const std::vector<std::string>& args, RunOptions options) const {
  auto user = as_user();
  for (const auto& [k, v] : user.env) options.env.emplace(k, v);
  options.unset_env.insert(options.unset_env.end(), user.unset_env.begin(), user.unset_env.end());
  options.uid = user.uid;
  options.gid = user.gid;
  if (options.cwd.empty()) options.cwd = user.cwd;
  return testing::dlc(args, options);
}

std::vector<std::string> SlurmCluster::user_command(const std::vector<std::string>& dlc_args) const {
  // Spawned runs argv[0] as a path (execv).
  std::string runuser = run({"sh", "-c", "command -v runuser"}).out;
  runuser = runuser.substr(0, runuser.find('\n'));
  std::vector<std::string> argv = {runuser, "-u", user_, "--", "env", "-u", "DOCKER_HOST", "-u", "XDG_RUNTIME_DIR"};
  for (const auto& [k, v] : as_user().env) argv.push_back(k + "=" + v);
  argv.push_back(dlc_binary());
  argv.insert(argv.end(), dlc_args.begin(), dlc_args.end());
  return argv;
}

std::string SlurmCluster::diagnose() const {
  auto o = as_user();
  o.env["XDG_RUNTIME_DIR"] = runtime_dir();
  auto images = run({"podman", "images"}, o);
  auto outputs = run({"sh", "-c", "tail -n 20 " + (home_ / ".local/state/dlcontainer/slurm").string() + "/*.out"});
  return "\npodman images as " + user_ + ":\n" + images.out + images.err + "\njob output:\n" + outputs.out + outputs.err;
}

RunResult SlurmCluster::slurm(const std::vector<std::string>& argv) const {
  RunOptions o;
  o.env["SLURM_CONF"] = conf_.string();
  o.timeout_seconds = 60;
  return run(argv, o);
}

std::vector<std::string> SlurmCluster::live_jobs() const {
  std::vector<std::string> ids;
  if (user_.empty()) return ids;
  auto r = slurm({"squeue", "--noheader", "--user=" + user_, "--format=%i"});
  std::string id;
  for (char c : r.out) {
    if (c == '\n') {
      if (!id.empty()) ids.push_back(id);
      id.clear();
    } else if (c != ' ') {
      id += c;
    }
  }
  if (!id.empty()) ids.push_back(id);
  return ids;
}

std::unique_ptr<Workspace> SlurmCluster::workspace(const std::string& extra_json, const std::string& image) const {
  auto ws = std::make_unique<Workspace>();
  ::chmod(ws->path().parent_path().c_str(), 0755);
  // The host's network: these machines' /dev/net/tun is root's alone, so rootless Podman's own network
  // (slirp4netns) cannot start here; clusters' nodes commonly use the host's network too.
  ws->devcontainer(std::string(R"({"image": ")") + image + R"(", "runArgs": ["--network=host"])" + extra_json + "}");
  run({"chown", "-R", user_ + ":" + user_, ws->str()});
  return ws;
}

void SlurmCluster::stop() {
  if (!user_.empty() && fs::exists(conf_)) {
    slurm({"scancel", "--user=" + user_});
    for (int i = 0; i < 150 && !live_jobs().empty(); ++i) std::this_thread::sleep_for(200ms);
  }
  kill_and_wait(pid_in(dir_ / "slurmd.pid"));
  kill_and_wait(pid_in(dir_ / "slurmctld.pid"));
  kill_and_wait(pid_in(dir_ / "munge/munged.pid"));
  if (!user_.empty()) {
    // Whatever still runs as the user (a container's conmon, Podman's pause process) is the test's.
    for (int round = 0; round < 3; ++round) {
      for (const auto& e : fs::directory_iterator("/proc")) {
        const auto name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        struct stat st {};
        if (::stat(e.path().c_str(), &st) == 0 && st.st_uid == uid_) ::kill(std::stoi(name), SIGKILL);
      }
      std::this_thread::sleep_for(200ms);
    }
    run({"sh", "-c", "rm -rf /tmp/dlc-slurm-" + std::to_string(uid_) + "-* " + runtime_dir()});
    run({"userdel", "-r", user_});
    user_.clear();
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

}  // namespace dlc::testing
