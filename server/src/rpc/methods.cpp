#include "rpc/methods.h"

namespace dlc::rpc {

MethodTable default_methods() {
  MethodTable table;
  add_workspace_methods(table);
  add_interpreter_methods(table);
  add_plan_methods(table);
  add_service_methods(table);
  return table;
}

}  // namespace dlc::rpc
