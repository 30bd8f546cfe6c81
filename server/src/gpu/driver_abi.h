// The few functions of NVML (libnvidia-ml.so.1) and of the CUDA driver API (libcuda.so.1) that the
// host facts need, declared against their stable C ABI. The libraries are loaded with dlopen, so the
// binary neither links nor needs them: a host without a driver still runs dlcontainer.
#pragma once

#include <cstddef>

namespace dlc::gpu::abi {

// NVML: every call returns nvmlReturn_t, 0 on success.
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
inline constexpr nvmlReturn_t NVML_SUCCESS = 0;
inline constexpr nvmlReturn_t NVML_ERROR_NO_PERMISSION = 4;
inline constexpr nvmlReturn_t NVML_ERROR_DRIVER_NOT_LOADED = 9;
inline constexpr nvmlReturn_t NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18;

struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

// nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it.
struct nvmlPciInfo_t {
  char busIdLegacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];
};

using nvmlInit_v2_fn = nvmlReturn_t (*)();
using nvmlShutdown_fn = nvmlReturn_t (*)();
using nvmlErrorString_fn = const char* (*)(nvmlReturn_t);
using nvmlSystemGetDriverVersion_fn = nvmlReturn_t (*)(char*, unsigned int);
using nvmlSystemGetCudaDriverVersion_fn = nvmlReturn_t (*)(int*);
using nvmlDeviceGetCount_v2_fn = nvmlReturn_t (*)(unsigned int*);
using nvmlDeviceGetHandleByIndex_v2_fn = nvmlReturn_t (*)(unsigned int, nvmlDevice_t*);
using nvmlDeviceGetName_fn = nvmlReturn_t (*)(nvmlDevice_t, char*, unsigned int);
using nvmlDeviceGetUUID_fn = nvmlReturn_t (*)(nvmlDevice_t, char*, unsigned int);
using nvmlDeviceGetMemoryInfo_fn = nvmlReturn_t (*)(nvmlDevice_t, nvmlMemory_t*);
using nvmlDeviceGetCudaComputeCapability_fn = nvmlReturn_t (*)(nvmlDevice_t, int*, int*);
using nvmlDeviceGetPciInfo_v3_fn = nvmlReturn_t (*)(nvmlDevice_t, nvmlPciInfo_t*);
using nvmlDeviceGetMinorNumber_fn = nvmlReturn_t (*)(nvmlDevice_t, unsigned int*);

// CUDA driver API: every call returns CUresult, 0 on success.
using CUresult = int;
using CUdevice = int;
inline constexpr CUresult CUDA_SUCCESS = 0;
inline constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
inline constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
struct CUuuid {
  unsigned char bytes[16];
};

using cuInit_fn = CUresult (*)(unsigned int);
using cuDriverGetVersion_fn = CUresult (*)(int*);
using cuGetErrorString_fn = CUresult (*)(CUresult, const char**);
using cuDeviceGetCount_fn = CUresult (*)(int*);
using cuDeviceGet_fn = CUresult (*)(CUdevice*, int);
using cuDeviceGetName_fn = CUresult (*)(char*, int, CUdevice);
using cuDeviceTotalMem_v2_fn = CUresult (*)(std::size_t*, CUdevice);
using cuDeviceGetAttribute_fn = CUresult (*)(int*, int, CUdevice);
using cuDeviceGetUuid_fn = CUresult (*)(CUuuid*, CUdevice);
using cuDeviceGetPCIBusId_fn = CUresult (*)(char*, int, CUdevice);

}  // namespace dlc::gpu::abi
