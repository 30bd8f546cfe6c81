// workspace/plan and doctor: core::plan_workspace and core::doctor, as `plan --json` and
// `doctor --json` print them.
#include "core/doctor.h"
#include "core/plan.h"
#include "rpc/methods.h"

namespace dlc::rpc {

using json = nlohmann::json;

namespace {

struct DoctorParams {
  std::string host;
};
void from_json(const json& j, DoctorParams& p) {
  if (auto it = j.find("host"); it != j.end() && !it->is_null()) p.host = it->get<std::string>();
}

// The schema admits an absolute folder or a git URL (planned from its clone), never a relative folder:
// the server's working directory is not the editor's.
core::PlanResult plan(const core::PlanParams& p, Call& call) { return core::plan_workspace(p, call.progress(), call.cancel()); }

core::DoctorReport doctor(const DoctorParams& p, Call& call) {
  call.cancel().throw_if_cancelled();
  return core::doctor(p.host);
}

}  // namespace

void add_plan_methods(MethodTable& table) {
  table.add("workspace/plan", &plan);
  table.add("doctor", &doctor);
}

}  // namespace dlc::rpc
