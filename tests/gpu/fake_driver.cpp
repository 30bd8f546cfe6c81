// A stand-in for libnvidia-ml.so.1 and libcuda.so.1 with two H100s, for the unit tests of
// gpu/host_facts.cpp: the same C functions, loaded the same way (dlopen), answering from fixed data.
// FAKE_NVIDIA_MODE picks the answer: "ok" (default), "not-loaded" (nvmlInit/cuInit fail as when the
// kernel module is missing), "no-gpus". FAKE_NVIDIA_CC ("8.6") makes the GPUs of that compute
// capability instead of the H100s' 9.0, for plans against other GPUs.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

struct Gpu {
  const char* name;
  const char* uuid;
  unsigned long long memory;
  int major, minor;
  const char* bus;
  unsigned minor_number;
  unsigned char uuid_bytes[16];
};

const Gpu kGpus[] = {
    {"NVIDIA H100 80GB HBM3", "GPU-0a1b2c3d-0000-1111-2222-333344445555", 85899345920ULL, 9, 0, "00000000:18:00.0", 0,
     {0x0a, 0x1b, 0x2c, 0x3d, 0x00, 0x00, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, 0x44, 0x44, 0x55, 0x55}},
    {"NVIDIA H100 80GB HBM3", "GPU-ffeeddcc-6666-7777-8888-9999aaaabbbb", 85899345920ULL, 9, 0, "00000000:2A:00.0", 3,
     {0xff, 0xee, 0xdd, 0xcc, 0x66, 0x66, 0x77, 0x77, 0x88, 0x88, 0x99, 0x99, 0xaa, 0xaa, 0xbb, 0xbb}},
};

std::string mode() {
  const char* m = std::getenv("FAKE_NVIDIA_MODE");
  return m ? m : "ok";
}

unsigned count() { return mode() == "no-gpus" ? 0 : 2; }

// The compute capability: the GPU's own, or FAKE_NVIDIA_CC's.
void capability(int index, int* major, int* minor) {
  *major = kGpus[index].major;
  *minor = kGpus[index].minor;
  const char* cc = std::getenv("FAKE_NVIDIA_CC");
  if (cc && std::strchr(cc, '.')) {
    *major = std::atoi(cc);
    *minor = std::atoi(std::strchr(cc, '.') + 1);
  }
}

struct nvmlMemory {
  unsigned long long total, free, used;
};
struct nvmlPciInfo {
  char busIdLegacy[16];
  unsigned domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
};

const Gpu* gpu_of(void* handle) { return static_cast<const Gpu*>(handle); }

void copy(char* out, unsigned size, const char* text) {
  if (size) std::snprintf(out, size, "%s", text);
}

}  // namespace

extern "C" {

// NVML.
int nvmlInit_v2() { return mode() == "not-loaded" ? 9 : 0; }  // NVML_ERROR_DRIVER_NOT_LOADED
int nvmlShutdown() { return 0; }
const char* nvmlErrorString(int rc) { return rc == 9 ? "Driver Not Loaded" : "Unknown Error"; }
int nvmlSystemGetDriverVersion(char* out, unsigned size) {
  copy(out, size, "580.65.06");
  return 0;
}
int nvmlSystemGetCudaDriverVersion_v2(int* v) {
  *v = 13000;
  return 0;
}
int nvmlDeviceGetCount_v2(unsigned* n) {
  *n = count();
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned i, void** handle) {
  if (i >= count()) return 2;  // NVML_ERROR_INVALID_ARGUMENT
  *handle = const_cast<Gpu*>(&kGpus[i]);
  return 0;
}
int nvmlDeviceGetName(void* h, char* out, unsigned size) {
  copy(out, size, gpu_of(h)->name);
  return 0;
}
int nvmlDeviceGetUUID(void* h, char* out, unsigned size) {
  copy(out, size, gpu_of(h)->uuid);
  return 0;
}
int nvmlDeviceGetMemoryInfo(void* h, nvmlMemory* m) {
  m->total = gpu_of(h)->memory;
  m->used = 1 << 20;
  m->free = m->total - m->used;
  return 0;
}
int nvmlDeviceGetCudaComputeCapability(void* h, int* major, int* minor) {
  capability(static_cast<int>(gpu_of(h) - kGpus), major, minor);
  return 0;
}
int nvmlDeviceGetPciInfo_v3(void* h, nvmlPciInfo* p) {
  std::memset(p, 0, sizeof *p);
  copy(p->busId, sizeof p->busId, gpu_of(h)->bus);
  return 0;
}
int nvmlDeviceGetMinorNumber(void* h, unsigned* m) {
  *m = gpu_of(h)->minor_number;
  return 0;
}

// The CUDA driver API.
int cuDriverGetVersion(int* v) {
  *v = 12040;
  return 0;
}
int cuInit(unsigned) { return mode() == "not-loaded" ? 100 : 0; }  // CUDA_ERROR_NO_DEVICE
int cuGetErrorString(int rc, const char** text) {
  *text = rc == 100 ? "no CUDA-capable device is detected" : "unknown error";
  return 0;
}
int cuDeviceGetCount(int* n) {
  *n = static_cast<int>(count());
  return 0;
}
int cuDeviceGet(int* dev, int i) {
  *dev = i;
  return 0;
}
int cuDeviceGetName(char* out, int size, int dev) {
  copy(out, static_cast<unsigned>(size), kGpus[dev].name);
  return 0;
}
int cuDeviceTotalMem_v2(std::size_t* bytes, int dev) {
  *bytes = kGpus[dev].memory;
  return 0;
}
int cuDeviceGetAttribute(int* v, int attr, int dev) {
  int major = 0, minor = 0;
  capability(dev, &major, &minor);
  *v = attr == 75 ? major : attr == 76 ? minor : 0;
  return 0;
}
int cuDeviceGetUuid(unsigned char* out, int dev) {
  std::memcpy(out, kGpus[dev].uuid_bytes, 16);
  return 0;
}
int cuDeviceGetPCIBusId(char* out, int size, int dev) {
  copy(out, static_cast<unsigned>(size), kGpus[dev].bus);
  return 0;
}
}
