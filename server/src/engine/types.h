// What the engine layer knows: containers, images, execs. Plain structs with nlohmann ADL
// conversions to our own wire shape (camelCase); the Docker API's shape stays in the .cpp files.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dlc::engine {

struct Mount {
  std::string type = "bind";  // bind | volume | tmpfs
  std::string source;         // host path (bind) or volume name; empty for tmpfs
  std::string target;
  bool read_only = false;

  bool operator==(const Mount&) const = default;
};

struct PortBinding {
  int container_port = 0;
  std::string protocol = "tcp";
  std::string host_ip = "127.0.0.1";
  int host_port = 0;  // 0: the engine picks one

  bool operator==(const PortBinding&) const = default;
};

// A GPU request in the engine's own terms (what `docker run --gpus` sends).
struct DeviceRequest {
  std::string driver = "nvidia";
  int count = 0;                       // -1: all; ignored when device_ids is set
  std::vector<std::string> device_ids; // indices or UUIDs
  std::vector<std::string> capabilities = {"gpu"};
  bool operator==(const DeviceRequest&) const = default;
};

struct DeviceMapping {
  std::string path_on_host;
  std::string path_in_container;
  std::string permissions = "rwm";
  bool operator==(const DeviceMapping&) const = default;
};

// Everything needed to create a container. Built by core/ from the workspace's configuration.
struct ContainerSpec {
  std::string name;  // empty: the engine names it
  std::string image;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> env;  // KEY=VALUE
  std::string user;
  std::string working_dir;
  std::string hostname;
  std::map<std::string, std::string> labels;
  std::vector<Mount> mounts;
  std::vector<PortBinding> ports;
  std::vector<DeviceRequest> device_requests;
  std::vector<DeviceMapping> devices;
  std::vector<std::string> cap_add;
  std::vector<std::string> security_opt;
  std::vector<std::string> extra_hosts;
  std::vector<std::string> device_cgroup_rules;  // "c 195:* rmw": device nodes reachable through a mount
  std::string ipc_mode;     // "", "host", "private", "shareable"
  std::string network_mode; // "" = default bridge
  std::string runtime;      // "" = default (runc)
  std::int64_t shm_size = 0; // bytes; 0 = engine default
  std::string platform;     // "linux/arm64": the image's platform to run; "" = the engine's
  bool init = false;
  bool privileged = false;
  bool tty = false;

  bool operator==(const ContainerSpec&) const = default;
};

struct ContainerState {
  std::string status;  // created | running | paused | restarting | removing | exited | dead
  bool running = false;
  int exit_code = 0;
  bool oom_killed = false;
  std::string error;  // why the engine could not run it ("exec format error"), else ""
  std::string started_at;
  std::string finished_at;
};

// What inspect says of one container.
struct ContainerInfo {
  std::string id;
  std::string name;
  std::string image;     // as the container was created with it
  std::string image_id;
  std::string created;
  ContainerState state;
  std::map<std::string, std::string> labels;
  std::vector<std::string> env;
  std::string user;
  std::vector<Mount> mounts;
  std::vector<PortBinding> ports;  // published ports with their actual host ports
  std::vector<std::string> cap_add;
  std::vector<std::string> security_opt;
  std::vector<DeviceRequest> device_requests;
  std::vector<DeviceMapping> devices;
};

// One row of a container list.
struct ContainerSummary {
  std::string id;
  std::string name;
  std::string image;
  std::string state;
  std::string status;  // human text: "Up 3 minutes"
  std::map<std::string, std::string> labels;
  std::int64_t created = 0;
};

struct ImageInfo {
  std::string id;
  std::vector<std::string> repo_tags;
  std::string user;
  std::vector<std::string> env;
  std::map<std::string, std::string> labels;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::string working_dir;
  std::int64_t size = 0;
  std::string created;
};

struct ExecSpec {
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // KEY=VALUE
  std::string user;
  std::string working_dir;
  bool tty = false;
  bool attach_stdin = false;
  bool privileged = false;
};

struct SystemInfo {
  std::string server_version;
  std::string api_version;  // negotiated
  std::string os;
  std::string kernel_version;
  std::string docker_root_dir;
  std::string name;  // the engine host's name
  std::string default_runtime;
  std::vector<std::string> runtimes;
  std::vector<std::string> cdi_spec_dirs;
  std::vector<std::string> registry_mirrors;
  int ncpu = 0;
  std::int64_t mem_total = 0;
  std::string cgroup_version;
};

struct VolumeInfo {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string created_at;
};

// What the engine says of a path in a container (HEAD .../archive): enough to tell two folders apart.
struct PathStat {
  std::string name;
  std::int64_t size = 0;
  std::uint32_t mode = 0;  // Go's FileMode bits
  std::string mtime;       // RFC 3339, as the engine writes it
};

// One engine event (GET /events), reduced to what callers use.
struct Event {
  std::string type;    // container | image | ...
  std::string action;  // start | die | stop | destroy | ...
  std::string id;
  std::map<std::string, std::string> attributes;  // labels and details
  std::int64_t time_nano = 0;
};

void to_json(nlohmann::json& j, const Mount& m);
void from_json(const nlohmann::json& j, Mount& m);
void to_json(nlohmann::json& j, const PortBinding& p);
void from_json(const nlohmann::json& j, PortBinding& p);
void to_json(nlohmann::json& j, const DeviceRequest& d);
void from_json(const nlohmann::json& j, DeviceRequest& d);
void to_json(nlohmann::json& j, const DeviceMapping& d);
void from_json(const nlohmann::json& j, DeviceMapping& d);
void to_json(nlohmann::json& j, const ContainerSpec& s);
void to_json(nlohmann::json& j, const ContainerState& s);
void to_json(nlohmann::json& j, const ContainerSummary& s);
void to_json(nlohmann::json& j, const SystemInfo& s);

// The Docker API's own shapes, used by the engine's calls (and by tests that check them).
nlohmann::json to_docker_create_body(const ContainerSpec& spec);
ContainerInfo container_info_from_docker(const nlohmann::json& inspect);
ContainerSummary container_summary_from_docker(const nlohmann::json& row);
ImageInfo image_info_from_docker(const nlohmann::json& inspect);

}  // namespace dlc::engine
