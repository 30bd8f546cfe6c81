// gpus, doctor, verify.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/cli.h"
#include "cli/terminal.h"
#include "core/cdi.h"
#include "core/doctor.h"
#include "core/engine_facts.h"
#include "core/verify.h"
#include "gpu/host_facts.h"
#include "support/error.h"

namespace dlc::cli {

namespace {

std::string gib(std::int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return buf;
}

void print_gpus(const gpu::HostFacts& f) {
  if (!f.machine.empty()) std::printf("GPUs of %s (read by a probe container there)\n", f.machine.c_str());
  if (f.driver_present) {
    std::printf("NVIDIA driver %s, CUDA %s (read through %s%s)\n", f.driver_version.empty() ? "?" : f.driver_version.c_str(),
                f.cuda_version.empty() ? "?" : f.cuda_version.c_str(), f.source.c_str(),
                f.library_path.empty() ? "" : (": " + f.library_path).c_str());
  }
  if (f.gpus.empty()) {
    std::printf("%s no GPU%s: %s\n", paint(1, "✖", "31").c_str(), f.machine.empty() ? "" : (" on " + f.machine).c_str(),
                f.why_none.c_str());
    return;
  }
  for (const auto& g : f.gpus) {
    std::printf("  %d  %-28s %9s  sm %d.%d  %s  %s\n", g.index, g.name.c_str(), gib(g.memory_total).c_str(), g.compute_major,
                g.compute_minor, g.uuid.c_str(), g.pci_bus_id.c_str());
  }
}

void print_doctor(const core::DoctorReport& r) {
  const int fd = 1;
  if (!r.machine.empty()) std::printf("checks of %s, through its engine at %s\n\n", r.machine.c_str(), r.engine.c_str());
  std::string here = r.machine.empty() ? "here" : "on " + r.machine;
  std::size_t width = 0;
  for (const auto& c : r.checks) width = std::max(width, c.title.size());
  for (const auto& c : r.checks) {
    std::string mark = c.status == "ok"     ? paint(fd, "[ ok ]", "32")
                       : c.status == "warn" ? paint(fd, "[warn]", "33")
                       : c.status == "fail" ? paint(fd, "[FAIL]", "1;31")
                                            : paint(fd, "[info]", "2");
    std::printf("%s %-*s  %s\n", mark.c_str(), static_cast<int>(width), c.title.c_str(), c.result.c_str());
    if (!c.fix.empty() && c.status != "ok") {
      std::printf("       %*s  %s %s\n", static_cast<int>(width), "", paint(fd, "fix:", c.status == "fail" ? "1;33" : "2").c_str(),
                  c.fix.c_str());
    }
  }
  std::printf("\n");
  if (r.ok) {
    std::printf("%s a GPU container can be made %s; `dlcontainer up` attaches GPUs with the %s method\n",
                paint(fd, "✔", "32").c_str(), here.c_str(), r.method.c_str());
  } else {
    std::printf("%s no GPU container can be made %s yet: fix the FAIL lines above\n", paint(fd, "✖", "31").c_str(), here.c_str());
  }
}

}  // namespace

std::string gpu_summary(const gpu::Attachment& a) {
  if (!a.attached()) return "none (" + a.reason + ")";
  std::string gpus;
  for (std::size_t i = 0; i < a.indices.size(); ++i) {
    gpus += (i ? ", " : "") + std::to_string(a.indices[i]);
    if (i < a.names.size() && !a.names[i].empty()) gpus += " " + a.names[i];
  }
  return gpu::to_string(a.method) + ": " + gpus;
}

void add_gpu_commands(CLI::App& app, Context& ctx) {
  {
    auto* cmd = app.add_subcommand("gpus", "list the NVIDIA GPUs, driver and CUDA version where the engine runs (this machine unless --host names another; exit 1 when none)");
    auto json = std::make_shared<bool>(false);
    auto cdi = std::make_shared<bool>(false);
    auto cdi_params = std::make_shared<core::CdiParams>();
    cmd->add_flag("--json", *json, "print one JSON object");
    cmd->add_flag("--cdi", *cdi, "print a CDI spec for these GPUs (no NVIDIA container toolkit needed), for Podman and Docker 25+");
    cmd->add_option("--output", cdi_params->output, "with --cdi: write the spec to this file (such as /etc/cdi/nvidia.yaml)");
    cmd->callback([&ctx, json, cdi, cdi_params] {
      if (!*cdi && !cdi_params->output.empty()) {
        throw Error(ErrorCode::InvalidArgument, "--output is for --cdi", "write: dlcontainer gpus --cdi --output FILE");
      }
      if (*cdi) {
        cdi_params->host = ctx.host;
        auto r = core::write_cdi_spec(*cdi_params);
        if (*json) print_json(r);
        else if (r.output.empty()) std::fputs(r.text.c_str(), stdout);
        else std::printf("%s %s (driver %s): %zu devices, %s\n", r.replaced ? "replaced" : "wrote", r.output.c_str(),
                         r.driver_version.c_str(), r.devices.size(), r.devices.empty() ? "" : r.devices.back().c_str());
        for (const auto& n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
        return;
      }
      auto facts = core::gpu_facts_for_host(ctx.host);
      if (*json) print_json(facts); else print_gpus(facts);
      ctx.exit_status = facts.gpus.empty() ? 1 : 0;
    });
  }
  {
    auto* cmd = app.add_subcommand("doctor", "check that this host can run GPU containers, with the fix for each problem");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "print one JSON object");
    cmd->footer("Exit status 0 only when a GPU container can be made here.");
    cmd->callback([&ctx, json] {
      auto report = core::doctor(ctx.host);
      if (*json) print_json(report); else print_doctor(report);
      ctx.exit_status = report.ok ? 0 : 1;
    });
  }
  {
    auto* cmd = app.add_subcommand("verify", "prove the GPU works inside the workspace's container: nvidia-smi, the "
                                             "framework sees it, a short training run");
    auto params = std::make_shared<core::VerifyParams>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("workspace", params->workspace, "the repository folder (default: .)");
    cmd->add_flag("--require-gpu", params->require_gpu, "fail when the training ran on the CPU");
    cmd->add_option("--steps", params->steps, "training steps (default 300)")->check(CLI::Range(20, 100000));
    cmd->add_option("--framework", params->framework, "pytorch, tensorflow or paddlepaddle (default: the one installed)");
    cmd->add_option("--python", params->python, "the Python interpreter in the container (default: python3)");
    cmd->add_flag("--json", *json, "print one JSON result object (the run's output goes to stderr)");
    cmd->callback([&ctx, params, json] {
      FILE* out = *json ? stderr : stdout;
      auto result = core::verify(ctx.workspaces_for(params->workspace), *params, [out](std::string_view d) {
        std::fwrite(d.data(), 1, d.size(), out);
        std::fflush(out);
      });
      if (*json) {
        print_json(result);
      } else {
        std::printf("\n  container  %s\n  gpu        %s\n", result.container_name.c_str(), gpu_summary(result.gpu).c_str());
        std::printf("%s %s\n", result.passed ? paint(1, "✔", "32").c_str() : paint(1, "✖", "31").c_str(), result.summary.c_str());
      }
      ctx.exit_status = result.passed ? 0 : 1;
    });
  }
}

}  // namespace dlc::cli
