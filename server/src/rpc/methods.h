// The methods the server answers, by topic. Each topic's file adds its methods (and the notifications
// they send) to the table; default_methods() calls each. A new topic (plan, doctor, services, debug):
//   1. write server/src/rpc/<topic>_methods.cpp with add_<topic>_methods(MethodTable&), calling core/;
//   2. declare it below and call it in default_methods() (rpc/methods.cpp);
//   3. add schemas/protocol/<method>.json for each method and notification (the tests insist);
//   4. add a section to docs/protocol.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/workspace.h"
#include "rpc/binder.h"

namespace dlc::rpc {

MethodTable default_methods();

// workspace/up, down, status, list, exec, logs; notifications workspace/output, workspace/didChangeStatus.
void add_workspace_methods(MethodTable& table);
// workspace/plan, doctor.
void add_plan_methods(MethodTable& table);
// services/jupyter, services/tensorboard, services/list, services/stop, ports/list, debug/python, debug/gdb.
void add_service_methods(MethodTable& table);

// ide/interpreter, ide/sshConfig: the container's Python for an IDE, and its SSH Host entry.
void add_interpreter_methods(MethodTable& table);

// The status to report for an event when the workspace cannot be looked at (its folder is gone).
core::WorkspaceStatus status_after(const core::WorkspaceEvent& event);

}  // namespace dlc::rpc
