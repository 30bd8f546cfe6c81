# The Debian package (cpack -G DEB in the build folder; scripts/release.sh builds it with Debian's
# hardening flags and runs lintian on it). Included by packaging/CMakeLists.txt.
set(DLC_MAINTAINER "dlcontainer maintainers <maintainers@users.noreply.h-seed-ce175e1e.example>"
    CACHE STRING "the Debian package's Maintainer")
set(DLC_DEB_RELEASE 1 CACHE STRING "the Debian revision of the package (0.1.0-<this>)")

# packaging/debian/changelog names the version it describes: it must be this one.
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/changelog first LIMIT_COUNT 1)
if(NOT first MATCHES "^dlcontainer \\(${PROJECT_VERSION}-${DLC_DEB_RELEASE}\\) ")
  message(FATAL_ERROR "packaging/debian/changelog starts with \"${first}\", not version ${PROJECT_VERSION}-${DLC_DEB_RELEASE}: add an entry for it")
endif()

# libgit2, libarchive and libcurl are loaded with dlopen (support/library.h), so dpkg-shlibdeps does
# not see them; `plan` needs libgit2 (a repository's HEAD), `up` libarchive (what it copies into
# containers) and, for a configuration with Features from a registry or an https URL, libcurl, so they
# are dependencies, not recommendations. At least the version built against:
# the calls were compiled with its headers.
function(dlc_deb_package_of var library)
  get_filename_component(real ${library} REALPATH)
  execute_process(COMMAND dpkg-query -S ${real} OUTPUT_VARIABLE owner RESULT_VARIABLE failed ERROR_QUIET)
  string(REGEX MATCH "^[^:]+" package "${owner}")
  if(failed OR NOT package)
    message(FATAL_ERROR "no Debian package owns ${real}: the .deb's dependencies cannot be written")
  endif()
  execute_process(COMMAND dpkg-query -W -f=\${Version} ${package} OUTPUT_VARIABLE version)
  string(REGEX REPLACE "-[^-]*$" "" upstream "${version}")  # the Debian revision is this host's, not a requirement
  set(${var} "${package} (>= ${upstream})" PARENT_SCOPE)
endfunction()
dlc_deb_package_of(libgit2_dep ${LIBGIT2_FILE})
dlc_deb_package_of(libarchive_dep ${LIBARCHIVE_FILE})
dlc_deb_package_of(libcurl_dep ${LIBCURL_FILE})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME dlcontainer)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the dlcontainer authors")
set(CPACK_PACKAGE_CONTACT "${DLC_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "GPU dev containers for deep-learning repositories")
# CPack puts the summary first, as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "dlcontainer opens a deep-learning repository in a container that works on
the first try: the framework, CUDA and cuDNN that the code and the host's
NVIDIA driver need, the GPU attached, the repository and datasets mounted,
Jupyter and TensorBoard on localhost, and the debugger forwarded.
.
It reads and writes .devcontainer/devcontainer.json, talks to the Docker
engine over its socket, and serves the same commands to editors as
JSON-RPC (dlcontainer serve).")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${DLC_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps: Depends from what the binary links
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${libgit2_dep}, ${libarchive_dep}, ${libcurl_dep}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "docker.io")
# Podman serves a Docker-compatible API (podman system service; DOCKER_HOST=unix://...): not tested
# by dlcontainer's suite, hence a suggestion.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "podman")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# What dh_installdocs, dh_installchangelogs and dh_compress would do: copyright, changelog, the
# lintian overrides, and gzip -9n of the man page and the larger docs.
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/prepare.cmake)
set(CPACK_DLC_DEBIAN_DIR ${CMAKE_CURRENT_LIST_DIR})
include(CPack)
