// What the agent's commands share (agent.cpp defines it): messages and exit codes, whole writes, and
// the waits on processes and time that every bounded loop of theirs uses.
#pragma once

#include <stddef.h>
#include <time.h>

#include <string>

namespace dlc::agent {

// Prints "dlcontainer-agent: " and fmt (up to three %s) to stderr; returns status.
int fail(int status, const char* fmt, const char* a = "", const char* b = "", const char* c = "");
// The command lines, to stderr; returns kExitUsage.
int usage();
bool write_all(int fd, const char* data, size_t size);
bool write_all(int fd, const std::string& s);
// Whether a process runs (a zombie has ended: its parent only has not read its status yet).
bool alive(int pid);
double seconds_since(const timespec& start);
void pause_ms(long ms);

int cmd_spawn(int argc, char** argv);      // background.cpp
int cmd_tail(int argc, char** argv);       // background.cpp
int cmd_gpu_facts(int argc, char** argv);  // gpu_facts.cpp

}  // namespace dlc::agent
