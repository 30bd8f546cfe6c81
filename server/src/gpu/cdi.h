// CDI specs for this host's GPUs, written without the NVIDIA container toolkit (nvidia-ctk), from what
// host_facts (NVML) and discovery already know; and the check that a spec still fits the running
// driver. Pure apart from reading the spec files it is given, so it is tested against fake trees.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "gpu/discovery.h"
#include "gpu/host_facts.h"

namespace dlc::gpu {

// The CDI version written: 0.5.0 is the newest that Podman 4.3's CDI library reads, and Docker 25+
// reads it too. Its parser is strict, so the spec holds only the fields that version defines.
inline constexpr const char* kCdiVersion = "0.5.0";
inline constexpr const char* kCdiKind = "nvidia.com/gpu";
// The first line of a spec this program wrote; a file without it is someone else's and never replaced.
inline constexpr const char* kCdiHeader = "# Written by `dlcontainer gpus --cdi`";

// A spec naming each GPU by index and UUID and all of them as "all": the GPUs' device nodes per device;
// the control nodes, the driver's libraries and programs (read-only bind mounts at the host's paths)
// for any of them. Throws Error{GpuUnavailable} when there is no driver, no GPU or no device node.
nlohmann::json make_cdi_spec(const HostFacts& facts, const DriverFiles& files);

// The spec as written to a file: the header, the driver it describes, then the spec (JSON is YAML, so
// CDI's YAML parser reads it; the header is a YAML comment).
std::string cdi_spec_text(const nlohmann::json& spec, const HostFacts& facts);

// What a spec lacks that the CDI specification requires (cdiVersion, a two-part kind, at least one
// device, valid device names, containerEdits with absolute paths); empty when it is well formed.
std::vector<std::string> cdi_spec_problems(const nlohmann::json& spec);

// Whether a spec on disk still fits the running driver.
struct CdiSpecCheck {
  std::string file;                  // as the host names it
  bool ours = false;                 // written by `dlcontainer gpus --cdi`
  std::string driver_version;        // the driver its libraries belong to ("" when it names none)
  std::vector<std::string> missing;  // host paths it mounts or exposes that are gone
  bool stale = false;                // a different driver, or files gone
  std::string reason;                // why stale, in words
};
void to_json(nlohmann::json& j, const CdiSpecCheck& c);

// Checks each spec file (host paths, read under root) against the running driver. Files larger than
// 4 MiB or that do not parse are reported stale with the reason.
std::vector<CdiSpecCheck> check_cdi_specs(const std::vector<std::string>& files, const std::string& running_driver,
                                          const std::string& root = "/");

// What CDI names do to a container, resolved from the specs by dlcontainer (gpu/cdi_resolve.cpp), for
// an engine whose API does not resolve them: Podman's Docker-compatible API.
struct CdiEdits {
  std::vector<engine::DeviceMapping> devices;
  std::vector<engine::Mount> mounts;
  std::vector<std::string> env;
  std::vector<std::string> spec_files;  // the specs the names came from
  std::vector<std::string> skipped;     // what only the engine could do (hooks), in words, for a warning
};
// Fully qualified names (nvidia.com/gpu=all) from the specs in dirs (under root). Throws
// Error{GpuUnavailable} naming a device no spec describes, with the command that writes one.
CdiEdits resolve_cdi_devices(const std::vector<std::string>& names, const std::vector<std::string>& dirs,
                             const std::string& root = "/");
// Discovery for Podman's compatible API: its /info says nothing of CDI though Podman resolves CDI names
// from CDI's default folders (/etc/cdi, /var/run/cdi), and it drops DeviceRequests without a word, so
// the toolkit's way (--gpus) is closed there: CDI or direct instead, with a note saying so.
AttachEnvironment discover_for_podman(const HostFacts& facts, std::optional<engine::SystemInfo> info,
                                      const DiscoveryOptions& options = {});

// Adds the edits to a container's spec (a device or mount already there is kept; CDI's env wins).
void apply_cdi_edits(const CdiEdits& edits, engine::ContainerSpec& spec);

}  // namespace dlc::gpu
