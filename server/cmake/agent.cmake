# The agent that dlcontainer puts into containers: static, libc only, so that it runs in any image.
# Included by server/CMakeLists.txt, and by the portable build's separate build of it
# (packaging/portable/agent/), with AGENT_SRC the folder of server/src.
# gpu-facts (the probe of a remote engine's host) reads with gpu/'s own code, compiled in here: the
# same facts whichever side of the engine connection they are read on. yaml-cpp (CDI specs) is linked
# from its static archive; glibc's static dlopen loads the host's NVML once inside the host's root.
if(NOT TARGET nlohmann_json::nlohmann_json)
  find_package(nlohmann_json 3.10 REQUIRED)
endif()
add_executable(dlcontainer-agent ${AGENT_SRC}/agent/agent.cpp ${AGENT_SRC}/agent/background.cpp ${AGENT_SRC}/agent/processes.cpp ${AGENT_SRC}/agent/gpu_facts.cpp
               ${AGENT_SRC}/agent/net.cpp ${AGENT_SRC}/agent/relay.cpp ${AGENT_SRC}/agent/mux.cpp ${AGENT_SRC}/agent/direct.cpp
               ${AGENT_SRC}/gpu/host_facts.cpp ${AGENT_SRC}/gpu/discovery.cpp ${AGENT_SRC}/support/files.cpp)
target_include_directories(dlcontainer-agent PRIVATE ${AGENT_SRC})
# -pthread: the direct lane serves each connection on a thread of its own (agent/direct.cpp).
target_compile_options(dlcontainer-agent PRIVATE -Os -pthread)
target_link_libraries(dlcontainer-agent PRIVATE nlohmann_json::nlohmann_json -l:libyaml-cpp.a)
target_link_options(dlcontainer-agent PRIVATE -static -s -pthread)
if(DLC_FUZZ)
  # ASan has no static runtime: the fuzz build's agent (a dependency, not a target) goes uninstrumented.
  target_compile_options(dlcontainer-agent PRIVATE -fno-sanitize=all)
  target_link_options(dlcontainer-agent PRIVATE -fno-sanitize=all)
endif()
