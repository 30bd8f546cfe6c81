// What `dlcontainer --version` says besides the version: the commit and the build it comes from
// (generated/build_info.cpp, written by server/cmake/build_info.cmake at each build).
#pragma once

namespace dlc::cli {

extern const char* const kBuildCommit;   // short commit id, "-modified" when built with uncommitted changes
extern const char* const kBuildType;     // CMAKE_BUILD_TYPE: Release, RelWithDebInfo, ...
extern const char* const kBuildVariant;  // "portable linux-x64 (glibc >= 2.31)", or "" for a build of this host

}  // namespace dlc::cli
