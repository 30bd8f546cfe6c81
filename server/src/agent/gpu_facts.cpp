// `agent gpu-facts --root DIR [--disk PATH]`: the GPU facts of the machine whose root directory is
// mounted at DIR. A probe container on a remote engine's host mounts that host's / there (read-only),
// with the NVIDIA device nodes allowed: the agent enters it (chroot) and reads what `dlcontainer gpus`
// and `doctor` read on a local host, with the same code (the driver's files, the container toolkit and
// CDI specs), except NVML: a static program cannot load the driver's libraries (their C library is not
// its own; dlopen crashed the agent with SIGFPE on an H100 host), so the host's own nvidia-smi answers.
// Prints one JSON object:
//   {"facts": HostFacts, "attach": AttachEnvironment, "disk": {"path", "free"}, "hostname"}
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/protocol.h"
#include "gpu/discovery.h"
#include "gpu/host_facts.h"
#include "support/files.h"

namespace dlc::agent {

namespace {

// A program's standard output (at most 1 MiB), or "" when it cannot run or fails.
std::string output_of(const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe(out) != 0) return {};
  pid_t pid = ::fork();
  if (pid < 0) return {};
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (text.size() < (1u << 20)) text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? text : std::string();
}

}  // namespace

int cmd_gpu_facts(int argc, char** argv) {
  std::string root, disk;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--root" && i + 1 < argc) root = argv[++i];
    else if (a == "--disk" && i + 1 < argc) disk = argv[++i];
    else return fprintf(stderr, "dlcontainer-agent: gpu-facts: unknown argument %s\n", argv[i]), kExitUsage;
  }
  if (!root.empty() && (::chroot(root.c_str()) != 0 || ::chdir("/") != 0)) {
    fprintf(stderr, "dlcontainer-agent: gpu-facts: cannot enter %s: %s\n", root.c_str(), strerror(errno));
    return kExitFailure;
  }
  gpu::ProbeOptions options;
  options.load_libraries = false;  // never dlopen the host's glibc-linked driver from this static program
  auto facts = gpu::read_host_facts(options);
  auto attach = gpu::discover(facts, std::nullopt);
  if (!facts.driver_present && !attach.driver.control_nodes.empty()) {
    // The driver runs but this process could not load its libraries: ask its own program.
    for (const auto& bin : attach.driver.binaries) {
      if (bin.size() < 11 || bin.compare(bin.size() - 11, 11, "/nvidia-smi") != 0) continue;
      std::string rows = output_of({bin, "--query-gpu=index,name,uuid,memory.total,compute_cap,pci.bus_id,driver_version",
                                    "--format=csv,noheader,nounits"});
      auto from_smi = gpu::facts_from_nvidia_smi(rows, output_of({bin}));
      if (from_smi.driver_present) {
        from_smi.library_path = bin;
        facts = from_smi;
        attach = gpu::discover(facts, std::nullopt);  // the driver's libraries are found by its version
      } else {
        facts.why_none += "; nvidia-smi (" + bin + ") lists no GPU either";
      }
      break;
    }
  }
  nlohmann::json out = {{"facts", facts}, {"attach", attach}};
  if (!disk.empty()) {
    struct statvfs st {};
    if (::statvfs(disk.c_str(), &st) == 0) {
      out["disk"] = {{"path", disk}, {"free", static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize)}};
    }
  }
  std::string hostname = read_file("/etc/hostname", 256).value_or("");
  while (!hostname.empty() && (hostname.back() == '\n' || hostname.back() == ' ')) hostname.pop_back();
  out["hostname"] = hostname;
  std::string text = out.dump();
  printf("%s\n", text.c_str());
  return kExitOk;
}

}  // namespace dlc::agent
