# The portable build's toolchain: this host's GCC against the sysroot that packaging/portable/sysroot.sh
# makes (glibc 2.31 from Debian 11, the static archives of the libraries linked in from this host).
#   cmake -DCMAKE_TOOLCHAIN_FILE=packaging/portable/toolchain.cmake -DDLC_SYSROOT=DIR -DDLC_PORTABLE=ON ...
# (scripts/release.sh does this).
if(NOT DLC_SYSROOT)
  set(DLC_SYSROOT "$ENV{DLC_SYSROOT}")
endif()
if(NOT DLC_SYSROOT OR NOT EXISTS "${DLC_SYSROOT}/usr/lib/x86_64-linux-gnu/libc_nonshared.a")
  message(FATAL_ERROR "DLC_SYSROOT (${DLC_SYSROOT}) is not a sysroot: make one with packaging/portable/sysroot.sh DIR")
endif()
# try_compile projects see only what is forwarded.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES DLC_SYSROOT)

set(CMAKE_SYSROOT "${DLC_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${DLC_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Debian's GCC puts its own ../../../x86_64-linux-gnu (this host's lib folder) before the sysroot's
# on the linker's path, and finds the crt files there: the sysroot's go first (-B for crt1.o, crti.o).
set(_lib "${DLC_SYSROOT}/usr/lib/x86_64-linux-gnu")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-B${_lib}/ -L${_lib} -L${DLC_SYSROOT}/lib/x86_64-linux-gnu")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${CMAKE_EXE_LINKER_FLAGS_INIT}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${CMAKE_EXE_LINKER_FLAGS_INIT}")
