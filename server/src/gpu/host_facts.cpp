#include "gpu/host_facts.h"

#include <dlfcn.h>
#include <link.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>

#include "gpu/discovery.h"
#include "gpu/driver_abi.h"
#include "support/files.h"
#include "support/json.h"

namespace dlc::gpu {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {


// A dlopen'ed library, closed when done. NVML and libcuda stay correct to unload after shutdown.
class Library {
 public:
  explicit Library(const std::string& name)
      : handle_(name.empty() ? nullptr : ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) {  // "" would be the program itself
    if (!handle_ && !name.empty()) {
      const char* e = ::dlerror();
      error_ = e ? e : "dlopen failed";
    }
  }
  ~Library() {
    if (handle_) ::dlclose(handle_);
  }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  explicit operator bool() const { return handle_ != nullptr; }
  const std::string& error() const { return error_; }

  template <class Fn>
  Fn get(const char* symbol) const {
    return handle_ ? reinterpret_cast<Fn>(::dlsym(handle_, symbol)) : nullptr;
  }

  // Where the loader found it: the driver's library folder, which the direct attach method needs.
  std::string path() const {
    link_map* map = nullptr;
    if (handle_ && ::dlinfo(handle_, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name) return map->l_name;
    return {};
  }

 private:
  void* handle_ = nullptr;
  std::string error_;
};

std::string read_text(const fs::path& p) { return read_file(p.string()).value_or(""); }

// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 ..." or "... Open Kernel Module
// for x86_64  580.65.06  Release Build ..." -> "580.65.06"; "" when no module is loaded.
std::string kernel_module_version(const fs::path& root) {
  std::string text = read_text(root / "proc/driver/nvidia/version");
  if (text.empty()) return {};
  static const std::regex version(R"(Kernel Module[^\n]*?\s(\d+\.\d+(?:\.\d+)?)(?:\s|$))");
  std::smatch m;
  return std::regex_search(text, m, version) ? m[1].str() : "unknown";
}

// Whether an NVIDIA display or 3D controller sits on the PCI bus (vendor 0x10de, class 0x03xxxx).
bool nvidia_gpu_on_pci(const fs::path& root) {
  std::error_code ec;
  for (const auto& dev : fs::directory_iterator(root / "sys/bus/pci/devices", ec)) {
    std::string vendor = read_text(dev.path() / "vendor");
    std::string cls = read_text(dev.path() / "class");
    if (vendor.rfind("0x10de", 0) == 0 && cls.rfind("0x03", 0) == 0) return true;
  }
  return false;
}

std::string cuda_version_text(int v) {  // 13000 -> "13.0", 12020 -> "12.2"
  if (v <= 0) return {};
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

std::string uuid_text(const abi::CUuuid& u) {  // as NVML writes it: GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
  char out[64];
  const unsigned char* b = u.bytes;
  std::snprintf(out, sizeof out, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
                b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

// Reads through NVML. Returns false (with `why` set) when NVML cannot be used at all.
bool read_nvml(const Library& lib, HostFacts& facts, std::string& why) {
  auto init = lib.get<abi::nvmlInit_v2_fn>("nvmlInit_v2");
  auto shutdown = lib.get<abi::nvmlShutdown_fn>("nvmlShutdown");
  auto error_string = lib.get<abi::nvmlErrorString_fn>("nvmlErrorString");
  auto driver_version = lib.get<abi::nvmlSystemGetDriverVersion_fn>("nvmlSystemGetDriverVersion");
  auto cuda_version = lib.get<abi::nvmlSystemGetCudaDriverVersion_fn>("nvmlSystemGetCudaDriverVersion_v2");
  if (!cuda_version) cuda_version = lib.get<abi::nvmlSystemGetCudaDriverVersion_fn>("nvmlSystemGetCudaDriverVersion");
  auto count = lib.get<abi::nvmlDeviceGetCount_v2_fn>("nvmlDeviceGetCount_v2");
  auto handle_by_index = lib.get<abi::nvmlDeviceGetHandleByIndex_v2_fn>("nvmlDeviceGetHandleByIndex_v2");
  if (!init || !shutdown || !driver_version || !count || !handle_by_index) {
    why = "libnvidia-ml.so.1 lacks the NVML functions dlcontainer needs (a very old driver?)";
    return false;
  }
  auto name = lib.get<abi::nvmlDeviceGetName_fn>("nvmlDeviceGetName");
  auto uuid = lib.get<abi::nvmlDeviceGetUUID_fn>("nvmlDeviceGetUUID");
  auto memory = lib.get<abi::nvmlDeviceGetMemoryInfo_fn>("nvmlDeviceGetMemoryInfo");
  auto capability = lib.get<abi::nvmlDeviceGetCudaComputeCapability_fn>("nvmlDeviceGetCudaComputeCapability");
  auto pci = lib.get<abi::nvmlDeviceGetPciInfo_v3_fn>("nvmlDeviceGetPciInfo_v3");
  auto minor = lib.get<abi::nvmlDeviceGetMinorNumber_fn>("nvmlDeviceGetMinorNumber");

  abi::nvmlReturn_t rc = init();
  if (rc != abi::NVML_SUCCESS) {
    std::string text = error_string ? error_string(rc) : "error " + std::to_string(rc);
    if (rc == abi::NVML_ERROR_DRIVER_NOT_LOADED) {
      why = "NVML could not start: the NVIDIA kernel module is not loaded (" + text + ")";
    } else if (rc == abi::NVML_ERROR_LIB_RM_VERSION_MISMATCH) {
      why = "NVML could not start: the driver's libraries and its loaded kernel module are different versions (" + text +
            "); this happens after a driver upgrade without a reboot";
    } else if (rc == abi::NVML_ERROR_NO_PERMISSION) {
      why = "NVML could not start: no permission to open the NVIDIA device nodes (" + text + ")";
    } else {
      why = "NVML could not start: " + text;
    }
    return false;
  }
  char buf[256] = {};
  if (driver_version(buf, sizeof buf) == abi::NVML_SUCCESS) facts.driver_version = buf;
  int cuda = 0;
  if (cuda_version && cuda_version(&cuda) == abi::NVML_SUCCESS) facts.cuda_version = cuda_version_text(cuda);
  unsigned n = 0;
  if (count(&n) != abi::NVML_SUCCESS) n = 0;
  for (unsigned i = 0; i < n; ++i) {
    abi::nvmlDevice_t dev = nullptr;
    GpuDevice d;
    d.index = static_cast<int>(i);
    if (handle_by_index(i, &dev) != abi::NVML_SUCCESS) {
      d.name = "(unreadable)";
      facts.gpus.push_back(std::move(d));
      continue;
    }
    if (name && name(dev, buf, sizeof buf) == abi::NVML_SUCCESS) d.name = buf;
    if (uuid && uuid(dev, buf, sizeof buf) == abi::NVML_SUCCESS) d.uuid = buf;
    abi::nvmlMemory_t mem{};
    if (memory && memory(dev, &mem) == abi::NVML_SUCCESS) d.memory_total = static_cast<std::int64_t>(mem.total);
    int major = 0, min = 0;
    if (capability && capability(dev, &major, &min) == abi::NVML_SUCCESS) d.compute_major = major, d.compute_minor = min;
    abi::nvmlPciInfo_t p{};
    if (pci && pci(dev, &p) == abi::NVML_SUCCESS) d.pci_bus_id = std::string(p.busId, strnlen(p.busId, sizeof p.busId));
    unsigned m = 0;
    if (minor && minor(dev, &m) == abi::NVML_SUCCESS) d.minor = static_cast<int>(m);
    facts.gpus.push_back(std::move(d));
  }
  shutdown();
  return true;
}

// Reads through the driver API, for hosts whose NVML is missing. Returns false with `why` set when
// libcuda cannot be used.
bool read_cuda(const Library& lib, HostFacts& facts, std::string& why) {
  auto init = lib.get<abi::cuInit_fn>("cuInit");
  auto driver_version = lib.get<abi::cuDriverGetVersion_fn>("cuDriverGetVersion");
  if (!init || !driver_version) {
    why = "libcuda.so.1 lacks cuInit/cuDriverGetVersion";
    return false;
  }
  int v = 0;
  if (driver_version(&v) == abi::CUDA_SUCCESS) facts.cuda_version = cuda_version_text(v);
  abi::CUresult rc = init(0);
  if (rc != abi::CUDA_SUCCESS) {
    const char* text = nullptr;
    if (auto es = lib.get<abi::cuGetErrorString_fn>("cuGetErrorString")) es(rc, &text);
    why = "the CUDA driver could not start: " + (text ? std::string(text) : "error " + std::to_string(rc));
    return !facts.cuda_version.empty();  // a driver that answers its version is still a driver
  }
  auto count = lib.get<abi::cuDeviceGetCount_fn>("cuDeviceGetCount");
  auto get = lib.get<abi::cuDeviceGet_fn>("cuDeviceGet");
  auto name = lib.get<abi::cuDeviceGetName_fn>("cuDeviceGetName");
  auto mem = lib.get<abi::cuDeviceTotalMem_v2_fn>("cuDeviceTotalMem_v2");
  auto attr = lib.get<abi::cuDeviceGetAttribute_fn>("cuDeviceGetAttribute");
  auto uuid = lib.get<abi::cuDeviceGetUuid_fn>("cuDeviceGetUuid");
  auto bus = lib.get<abi::cuDeviceGetPCIBusId_fn>("cuDeviceGetPCIBusId");
  int n = 0;
  if (!count || !get || count(&n) != abi::CUDA_SUCCESS) n = 0;
  for (int i = 0; i < n; ++i) {
    abi::CUdevice dev = 0;
    if (get(&dev, i) != abi::CUDA_SUCCESS) continue;
    GpuDevice d;
    d.index = i;
    char buf[256] = {};
    if (name && name(buf, sizeof buf, dev) == abi::CUDA_SUCCESS) d.name = buf;
    std::size_t bytes = 0;
    if (mem && mem(&bytes, dev) == abi::CUDA_SUCCESS) d.memory_total = static_cast<std::int64_t>(bytes);
    if (attr) {
      attr(&d.compute_major, abi::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
      attr(&d.compute_minor, abi::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
    }
    abi::CUuuid u{};
    if (uuid && uuid(&u, dev) == abi::CUDA_SUCCESS) d.uuid = uuid_text(u);
    if (bus && bus(buf, sizeof buf, dev) == abi::CUDA_SUCCESS) d.pci_bus_id = buf;
    facts.gpus.push_back(std::move(d));
  }
  return true;
}

// The library's path beside the driver's nvidia-smi (<prefix>/bin/nvidia-smi -> <prefix>/lib64/NAME or
// <prefix>/lib/NAME), for a driver the loader does not know; "" when there is none.
std::string beside_nvidia_smi(const std::string& library, const ProbeOptions& options, const fs::path& root) {
  if (library.find('/') != std::string::npos) return {};  // a path was given: nothing to look for
  auto dirs = options.path_dirs.empty() ? program_dirs() : options.path_dirs;
  std::string smi = find_program("nvidia-smi", dirs, root.string());
  if (smi.empty()) return {};
  fs::path prefix = fs::path(smi).parent_path().parent_path();
  for (const char* lib : {"lib64", "lib"}) {
    fs::path candidate = root / (prefix / lib / library).relative_path();
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return {};
}

}  // namespace

HostFacts read_host_facts(const ProbeOptions& options) {
  HostFacts facts;
  facts.source = "none";
  const fs::path root = options.root.empty() ? fs::path("/") : fs::path(options.root);
  std::string module = kernel_module_version(root);

  std::string nvml_why;
  if (!options.load_libraries) {
    nvml_why = "the driver's libraries are not loaded by a statically linked reader";
  } else {
    Library by_name(options.nvml_library);
    std::string beside = by_name ? "" : beside_nvidia_smi(options.nvml_library, options, root);
    Library by_path(beside.empty() ? std::string() : beside);
    const Library& nvml = by_name || beside.empty() ? by_name : by_path;
    if (nvml) {
      if (read_nvml(nvml, facts, nvml_why)) {
        facts.driver_present = true;
        facts.source = "nvml";
        facts.library_path = nvml.path();
        if (facts.gpus.empty()) facts.why_none = "the NVIDIA driver " + facts.driver_version + " is loaded but reports no GPU";
        return facts;
      }
    } else {
      nvml_why = options.nvml_library + " not found (" + nvml.error() + ")";
    }
  }

  std::string cuda_why;
  if (options.load_libraries) {
    Library by_name(options.cuda_library);
    std::string beside = by_name ? "" : beside_nvidia_smi(options.cuda_library, options, root);
    Library by_path(beside.empty() ? std::string() : beside);
    const Library& cuda = by_name || beside.empty() ? by_name : by_path;
    if (cuda) {
      HostFacts from_cuda;
      if (read_cuda(cuda, from_cuda, cuda_why)) {
        from_cuda.driver_present = true;
        from_cuda.source = "cuda";
        from_cuda.library_path = cuda.path();
        from_cuda.driver_version = module == "unknown" ? "" : module;
        if (from_cuda.gpus.empty()) {
          from_cuda.why_none = cuda_why.empty() ? "the CUDA driver reports no GPU" : cuda_why;
        }
        return from_cuda;
      }
    } else {
      cuda_why = options.cuda_library + " not found";
    }
  }

  // No usable driver library: say which part of the stack is missing.
  facts.driver_version.clear();
  facts.cuda_version.clear();
  facts.gpus.clear();
  if (!module.empty()) {
    facts.why_none = "the NVIDIA kernel module " + module + " is loaded but its user-space libraries cannot be used: " + nvml_why;
  } else if (nvidia_gpu_on_pci(root)) {
    facts.why_none = "an NVIDIA GPU is on the PCI bus but the NVIDIA driver is not loaded (" + nvml_why + ")";
  } else if (options.load_libraries && nvml_why.find("not found") == std::string::npos) {
    facts.why_none = nvml_why;  // a library that loaded and failed says more than the bus does
  } else {
    facts.why_none = "no NVIDIA GPU on this host: no NVIDIA device on the PCI bus, no NVIDIA driver loaded" +
                     (options.load_libraries ? ", " + options.nvml_library + " not found" : std::string());
  }
  return facts;
}

HostFacts facts_from_nvidia_smi(const std::string& query_csv, const std::string& header) {
  HostFacts facts;
  facts.source = "nvidia-smi";
  static const std::regex row(R"(^\s*(\d+)\s*,\s*([^,]+?)\s*,\s*(GPU-[0-9a-fA-F-]+)\s*,\s*(\d+)\s*,\s*(\d+)\.(\d+)\s*,\s*([^,]+?)\s*,\s*([0-9.]+)\s*$)");
  std::istringstream in(query_csv);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    GpuDevice d;
    d.index = std::stoi(m[1].str());
    d.name = m[2].str();
    d.uuid = m[3].str();
    d.memory_total = std::stoll(m[4].str()) * 1024 * 1024;  // MiB without units
    d.compute_major = std::stoi(m[5].str());
    d.compute_minor = std::stoi(m[6].str());
    d.pci_bus_id = m[7].str();
    facts.driver_version = m[8].str();
    facts.gpus.push_back(std::move(d));
  }
  static const std::regex cuda(R"(CUDA Version:\s*([0-9]+\.[0-9]+))");
  std::smatch m;
  if (std::regex_search(header, m, cuda)) facts.cuda_version = m[1].str();
  facts.driver_present = !facts.gpus.empty();
  if (!facts.driver_present) facts.why_none = "nvidia-smi lists no GPU";
  return facts;
}

void to_json(json& j, const GpuDevice& d) {
  j = {{"index", d.index},
       {"name", d.name},
       {"uuid", d.uuid},
       {"memoryTotal", d.memory_total},
       {"computeCapability", std::to_string(d.compute_major) + "." + std::to_string(d.compute_minor)},
       {"pciBusId", d.pci_bus_id},
       {"minor", d.minor}};
}

void from_json(const json& j, GpuDevice& d) {
  get_if(j, "index", d.index);
  get_if(j, "name", d.name);
  get_if(j, "uuid", d.uuid);
  get_if(j, "memoryTotal", d.memory_total);
  get_if(j, "pciBusId", d.pci_bus_id);
  get_if(j, "minor", d.minor);
  std::string cc;
  get_if(j, "computeCapability", cc);
  if (auto dot = cc.find('.'); dot != std::string::npos) {
    try {
      d.compute_major = std::stoi(cc.substr(0, dot));
      d.compute_minor = std::stoi(cc.substr(dot + 1));
    } catch (const std::exception&) {
    }
  }
}

void to_json(json& j, const HostFacts& h) {
  j = {{"driverPresent", h.driver_present}, {"driverVersion", h.driver_version}, {"cudaVersion", h.cuda_version},
       {"gpus", h.gpus},                    {"source", h.source},                 {"whyNone", h.why_none},
       {"libraryPath", h.library_path}};
  if (!h.machine.empty()) j["machine"] = h.machine;
}

void from_json(const json& j, HostFacts& h) {
  get_if(j, "driverPresent", h.driver_present);
  get_if(j, "driverVersion", h.driver_version);
  get_if(j, "cudaVersion", h.cuda_version);
  get_if(j, "gpus", h.gpus);
  get_if(j, "source", h.source);
  get_if(j, "whyNone", h.why_none);
  get_if(j, "libraryPath", h.library_path);
  get_if(j, "machine", h.machine);
}

}  // namespace dlc::gpu
