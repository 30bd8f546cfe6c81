# The portable build's agent. The agent is static, so the C library it is linked with travels inside
# it and the glibc 2.31 sysroot buys nothing; worse, GCC 12's static unwinder (libgcc_eh.a) needs
# _dl_find_object, which glibc 2.31's libc.a lacks. So it is built apart, as the other builds build
# it (server/cmake/agent.cmake), against this host's C library: a build of packaging/portable/agent/
# without the sysroot toolchain. The target dlcontainer-agent stands for it; DLC_AGENT_FILE is the file.
include(ExternalProject)
set(agent_dir ${CMAKE_BINARY_DIR}/agent)
ExternalProject_Add(dlcontainer-agent-build
  SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}/agent
  BINARY_DIR ${agent_dir}
  CMAKE_ARGS -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE} -DAGENT_SRC=${AGENT_SRC} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
             -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${agent_dir}/dlcontainer-agent
  BUILD_ALWAYS ON)
# Copied beside dlcontainer, where services/agent_inject.cpp looks first, so that the build folder's
# binary runs as the installed one does (tests, benchmarks, the .vsix's default --binary). Not declared
# as a byproduct: Ninja already names this target's phony rule by that path.
add_custom_target(dlcontainer-agent ALL
  COMMAND ${CMAKE_COMMAND} -E copy_if_different ${agent_dir}/dlcontainer-agent ${CMAKE_CURRENT_BINARY_DIR}/dlcontainer-agent
  DEPENDS dlcontainer-agent-build
  VERBATIM)
set(DLC_AGENT_FILE ${CMAKE_CURRENT_BINARY_DIR}/dlcontainer-agent CACHE INTERNAL "the portable build's agent")
