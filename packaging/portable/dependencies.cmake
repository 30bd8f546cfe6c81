# The libraries of the portable build (DLC_PORTABLE=ON): everything but the C library is linked in, so
# that one binary runs on any x86-64 Linux with glibc >= 2.31 without other packages. Included by the
# top CMakeLists instead of its find_package calls; defines the same targets and variables.
if(NOT CMAKE_SYSROOT)
  message(FATAL_ERROR "DLC_PORTABLE builds against a glibc 2.31 sysroot, else this host's newer glibc leaks in: "
                      "packaging/portable/sysroot.sh DIR, then -DCMAKE_TOOLCHAIN_FILE=packaging/portable/toolchain.cmake -DDLC_SYSROOT=DIR")
endif()

find_package(Threads REQUIRED)
# Header-only, from this host's packages (sysroot.sh copies their headers, not their CMake files).
foreach(target Boost::boost nlohmann_json::nlohmann_json CLI11::CLI11)
  add_library(${target} INTERFACE IMPORTED)
endforeach()
set(OPENSSL_USE_STATIC_LIBS TRUE)
find_package(OpenSSL REQUIRED)

# A static archive from the sysroot (it holds no .so of these: sysroot.sh copies only .a files).
function(dlc_static_archive var name)
  find_library(${var} NAMES lib${name}.a REQUIRED NO_CACHE)
  set(${var} ${${var}} PARENT_SCOPE)
endfunction()

# spdlog and fmt as headers only (Debian ships no libspdlog.a or libfmt.a); toml++ likewise.
add_library(spdlog::spdlog INTERFACE IMPORTED)
target_compile_definitions(spdlog::spdlog INTERFACE SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
target_link_libraries(spdlog::spdlog INTERFACE Threads::Threads)
add_library(PkgConfig::TOMLPP INTERFACE IMPORTED)
target_compile_definitions(PkgConfig::TOMLPP INTERFACE TOML_HEADER_ONLY=1)

dlc_static_archive(YAML_CPP_A yaml-cpp)
add_library(yaml-cpp STATIC IMPORTED)
set_target_properties(yaml-cpp PROPERTIES IMPORTED_LOCATION ${YAML_CPP_A})
# RE2 (the protocol schemas' patterns): its archive, and the threads it uses for its caches.
dlc_static_archive(RE2_A re2)
add_library(PkgConfig::RE2 STATIC IMPORTED)
set_target_properties(PkgConfig::RE2 PROPERTIES IMPORTED_LOCATION ${RE2_A})
target_link_libraries(PkgConfig::RE2 INTERFACE Threads::Threads)
dlc_static_archive(XAU_A Xau)
add_library(PkgConfig::XAU STATIC IMPORTED)
set_target_properties(PkgConfig::XAU PROPERTIES IMPORTED_LOCATION ${XAU_A})

# libgit2 and libarchive, which other builds load with dlopen when first used, are linked in: the
# target system may have neither, or another libgit2 (its SONAME changes with each release). Debian's
# libgit2 calls GSSAPI, which has no static archive: packaging/portable/gssapi_unavailable.cpp.
# What their archives need, in link order (the linker names any that is missing).
set(DLC_LINKED_LIBRARIES)
# libarchive's readers of compressed tars (archive_read_support_filter_all: Feature archives) need
# bzip2, LZ4, xz and zstd, and its ACL support libacl.
foreach(name git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 pcre2-8 archive acl lzma zstd lz4 bz2 z)
  dlc_static_archive(archive_${name} ${name})
  list(APPEND DLC_LINKED_LIBRARIES ${archive_${name}})
endforeach()
list(APPEND DLC_LINKED_LIBRARIES OpenSSL::SSL OpenSSL::Crypto ${CMAKE_DL_LIBS} Threads::Threads)
set(LIBGIT2_INCLUDE_DIRS "")
set(LIBARCHIVE_INCLUDE_DIRS "")
set(LIBGIT2_SONAME "(linked in)")
set(LIBARCHIVE_SONAME "(linked in)")
# libcurl (Features from registries and https) stays loaded with dlopen when first used, as in the other
# builds: its SONAME has been libcurl.so.4 since 2006 on every distribution, so the system's serves, and
# a system without it lacks only those downloads (the error names the package). Its headers (in the
# sysroot's multiarch include folder) declare what is called.
set(LIBCURL_INCLUDE_DIRS "")
set(LIBCURL_SONAME libcurl.so.4)

# The C++ runtime linked in. libgcc stays shared: GCC 12's static unwinder (libgcc_eh.a) calls
# _dl_find_object, which glibc has only since 2.35; libgcc_s.so.1 is part of every glibc system.
add_link_options(-static-libstdc++)
# Sections nothing calls are dropped: libarchive's table of every archive format would otherwise bring
# the writers of xar (libxml2, and ICU's 30 MB of data with it), 7-Zip and zip, of which tar is used.
add_link_options(-Wl,--gc-sections)
