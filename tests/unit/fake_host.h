// A fake host tree for gpu/ tests: device nodes, driver libraries and programs under a temporary
// root, which discovery is pointed at (DiscoveryOptions::root). Removed with the object.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gpu/discovery.h"

namespace dlc::gpu {

class FakeHost {
 public:
  FakeHost() {
    char tmpl[] = "/tmp/dlc-host-XXXXXX";
    root_ = ::mkdtemp(tmpl);
  }
  ~FakeHost() { std::filesystem::remove_all(root_); }
  void file(const std::string& host_path, const std::string& text = "x", bool exec = false) const {
    std::filesystem::path p = root_ / std::filesystem::path(host_path).relative_path();
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    if (exec) std::filesystem::permissions(p, std::filesystem::perms::owner_all | std::filesystem::perms::group_read | std::filesystem::perms::group_exec);
  }
  void link(const std::string& host_path, const std::string& target) const {
    std::filesystem::path p = root_ / std::filesystem::path(host_path).relative_path();
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }
  std::string str() const { return root_.string(); }
  DiscoveryOptions options() const {
    return DiscoveryOptions{.root = str(), .path_dirs = {"/usr/bin", "/usr/sbin"}, .library_dirs = {}, .use_environment = false};
  }

  // A driver 580.65.06 installed in a folder of its own, as on hosts whose driver comes with the
  // machine image (/usr/local/nvidia/{lib64,bin}), with a leftover of an older driver elsewhere.
  void driver_in_own_folder() const {
    for (const char* n : {"nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"}) file(std::string("/dev/") + n);
    std::filesystem::create_directories(root_ / "dev/nvidia-caps");
    file("/dev/null");
    const std::string lib = "/usr/local/nvidia/lib64/";
    for (const char* base : {"libcuda", "libnvidia-ml", "libnvidia-ptxjitcompiler", "libnvidia-nvvm"}) {
      file(lib + base + ".so.580.65.06", "elf");
    }
    link(lib + "libcuda.so.1", "libcuda.so.580.65.06");
    link(lib + "libcuda.so", "libcuda.so.1");
    link(lib + "libnvidia-ml.so.1", "libnvidia-ml.so.580.65.06");
    link(lib + "libnvidia-ptxjitcompiler.so.1", "libnvidia-ptxjitcompiler.so.580.65.06");
    link(lib + "libnvidia-nvvm.so.4", "libnvidia-nvvm.so.580.65.06");
    link(lib + "libnvidia-allocator.so.1", "nowhere");
    file(lib + "libEGL_nvidia.so.0", "graphics, not compute");
    file(lib + "libcudart.so.12", "the CUDA runtime belongs to the image, not the driver");
    file("/usr/local/nvidia/bin/nvidia-smi", "\x7f" "ELF (a program, not a script)", true);
    const std::string sys = "/usr/lib/x86_64-linux-gnu/";
    file(sys + "libnvidia-cfg.so.535.104.05", "old");
    link(sys + "libnvidia-cfg.so.1", "libnvidia-cfg.so.535.104.05");
    file(sys + "libcuda.so.535.104.05", "old");
    link(sys + "libcuda.so.1", "libcuda.so.535.104.05");
    file("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
    file("/etc/ld.so.conf.d/x86_64-linux-gnu.conf", "# multiarch\n/usr/lib/x86_64-linux-gnu\n");
  }

 private:
  std::filesystem::path root_;
};

}  // namespace dlc::gpu
