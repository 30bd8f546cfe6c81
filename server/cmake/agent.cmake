# The agent that dlcontainer puts into containers: static, libc only, so that it runs in any image.
# Included by server/CMakeLists.txt, and by the portable build's separate build of it
# (packaging/portable/agent/), with AGENT_SRC the folder of server/src.
add_executable(dlcontainer-agent ${AGENT_SRC}/agent/agent.cpp ${AGENT_SRC}/agent/processes.cpp
               ${AGENT_SRC}/agent/net.cpp ${AGENT_SRC}/agent/relay.cpp ${AGENT_SRC}/agent/mux.cpp)
target_include_directories(dlcontainer-agent PRIVATE ${AGENT_SRC})
target_compile_options(dlcontainer-agent PRIVATE -Os)
target_link_options(dlcontainer-agent PRIVATE -static -s)
