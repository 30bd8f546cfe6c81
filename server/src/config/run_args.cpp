// runArgs: the subset of `docker run` flags that devcontainer.json files use in practice. A flag we do
// not know is refused: silently dropping `--gpus` or `-v` would give a container that looks fine and
// is not what the author meant.
#include <cctype>
#include <charconv>
#include <functional>
#include <map>

#include "config/devcontainer.h"
#include "support/error.h"

namespace dlc::config {
namespace {

[[noreturn]] void refuse(const std::string& message, const std::string& hint) {
  throw Error(ErrorCode::ConfigInvalid, "runArgs: " + message, hint);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto pos = text.find(sep, start);
    parts.push_back(text.substr(start, pos - start));
    if (pos == std::string::npos) return parts;
    start = pos + 1;
  }
}

int parse_port(const std::string& text, const std::string& flag_value) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 0 || port > 65535)
    refuse("-p " + flag_value + ": '" + text + "' is not a port number",
           "write -p [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp]; port ranges are not supported");
  return port;
}

engine::PortBinding parse_publish(const std::string& value) {
  engine::PortBinding binding;
  std::string spec = value;
  if (auto slash = spec.rfind('/'); slash != std::string::npos) {
    binding.protocol = spec.substr(slash + 1);
    spec.resize(slash);
    if (binding.protocol != "tcp" && binding.protocol != "udp" && binding.protocol != "sctp")
      refuse("-p " + value + ": unknown protocol '" + binding.protocol + "'", "use tcp, udp or sctp");
  }
  // An IPv6 host address is bracketed: [::1]:8888:8888.
  if (!spec.empty() && spec.front() == '[') {
    auto close = spec.find(']');
    if (close == std::string::npos || close + 1 >= spec.size() || spec[close + 1] != ':')
      refuse("-p " + value + ": malformed IPv6 address", "write -p [::1]:8888:8888");
    binding.host_ip = spec.substr(1, close - 1);
    spec = spec.substr(close + 2);
    auto parts = split(spec, ':');
    if (parts.size() != 2) refuse("-p " + value + ": expected HOST_PORT:CONTAINER_PORT after the address", "");
    binding.host_port = parts[0].empty() ? 0 : parse_port(parts[0], value);
    binding.container_port = parse_port(parts[1], value);
    return binding;
  }
  auto parts = split(spec, ':');
  switch (parts.size()) {
    case 1:
      binding.container_port = parse_port(parts[0], value);
      break;
    case 2:
      binding.host_port = parse_port(parts[0], value);
      binding.container_port = parse_port(parts[1], value);
      break;
    case 3:
      if (!parts[0].empty()) binding.host_ip = parts[0];
      binding.host_port = parts[1].empty() ? 0 : parse_port(parts[1], value);
      binding.container_port = parse_port(parts[2], value);
      break;
    default:
      refuse("-p " + value + ": too many ':'", "write -p [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp]");
  }
  if (binding.container_port == 0) refuse("-p " + value + ": the container port cannot be 0", "");
  return binding;
}

engine::Mount parse_volume(const std::string& value) {
  auto parts = split(value, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    refuse("-v " + value + ": expected SOURCE:TARGET[:ro]",
           "write -v /host/path:/container/path or -v volume-name:/container/path");
  engine::Mount mount;
  mount.source = parts[0];
  mount.target = parts[1];
  bool host_path = mount.source.front() == '/' || mount.source.front() == '.' || mount.source.front() == '~';
  mount.type = host_path ? "bind" : "volume";
  if (parts.size() == 3) {
    for (const auto& option : split(parts[2], ',')) {
      if (option == "ro" || option == "readonly")
        mount.read_only = true;
      else if (option != "rw" && option != "z" && option != "Z" && option != "cached" && option != "delegated" &&
               option != "consistent")
        refuse("-v " + value + ": unknown option '" + option + "'", "use ro or rw");
    }
  }
  if (mount.target.front() != '/') refuse("-v " + value + ": the target must be an absolute path", "");
  return mount;
}

engine::DeviceMapping parse_device(const std::string& value) {
  auto parts = split(value, ':');
  if (parts.empty() || parts.size() > 3 || parts[0].empty())
    refuse("--device " + value + ": expected HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]", "");
  engine::DeviceMapping device;
  device.path_on_host = parts[0];
  device.path_in_container = parts.size() > 1 && !parts[1].empty() ? parts[1] : parts[0];
  if (parts.size() == 3) device.permissions = parts[2];
  return device;
}

using Setter = std::function<void(const std::string&)>;

// docker's flag forms, for runArgs and build.options alike: "--flag value", "--flag=value", a short
// alias, and switches ("--init", "--init=false"). `where` prefixes the error for a flag not in either
// map, which `supported` lists.
void walk_flags(const std::vector<std::string>& args, const std::map<std::string, Setter>& with_value,
                const std::map<std::string, bool*>& switches, const std::map<std::string, std::string>& aliases,
                const std::string& where, const std::string& supported) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    if (auto alias = aliases.find(flag); alias != aliases.end()) flag = alias->second;
    if (auto sw = switches.find(flag); sw != switches.end()) {
      *sw->second = !value || *value == "true";
      continue;
    }
    auto setter = with_value.find(flag);
    if (setter == with_value.end())
      throw Error(ErrorCode::ConfigInvalid, where + ": '" + args[i] + "' is not supported", supported);
    if (!value) {
      if (i + 1 >= args.size())
        throw Error(ErrorCode::ConfigInvalid, where + ": '" + args[i] + "' needs a value", "write it as \"" + flag + "=VALUE\"");
      value = args[++i];
    }
    setter->second(*value);
  }
}

void key_value(const std::string& v, std::map<std::string, std::string>& into) {
  auto eq = v.find('=');
  into[v.substr(0, eq)] = eq == std::string::npos ? "" : v.substr(eq + 1);
}

}  // namespace

std::int64_t parse_size(const std::string& text) {
  if (text.empty()) refuse("an empty size", "write sizes like 8g, 512m or 1073741824");
  std::size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
    ++digits;
  double number = 0;
  try {
    std::size_t used = 0;
    number = std::stod(text.substr(0, digits), &used);
    if (used != digits) throw std::invalid_argument("size");
  } catch (const std::exception&) {
    refuse("'" + text + "' is not a size", "write sizes like 8g, 512m or 1073741824");
  }
  std::string unit = text.substr(digits);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b' && unit.size() == 2) unit.pop_back();  // "gb" as "g"
  static const std::map<std::string, std::int64_t> units = {
      {"", 1}, {"b", 1}, {"k", 1LL << 10}, {"m", 1LL << 20}, {"g", 1LL << 30}, {"t", 1LL << 40}};
  auto unit_it = units.find(unit);
  if (unit_it == units.end()) refuse("'" + text + "' has an unknown unit", "use b, k, m, g or t");
  return static_cast<std::int64_t>(number * static_cast<double>(unit_it->second));
}

RunArgs parse_run_args(const std::vector<std::string>& args) {
  RunArgs out;
  const std::map<std::string, Setter> with_value = {
      {"--gpus", [&](const std::string& v) { out.gpus = v; }},
      {"--ipc", [&](const std::string& v) { out.ipc = v; }},
      {"--shm-size", [&](const std::string& v) { out.shm_size = parse_size(v); }},
      {"--env", [&](const std::string& v) { out.env.push_back(v); }},
      {"--volume", [&](const std::string& v) { out.volumes.push_back(parse_volume(v)); }},
      {"--publish", [&](const std::string& v) { out.publish.push_back(parse_publish(v)); }},
      {"--cap-add", [&](const std::string& v) { out.cap_add.push_back(v); }},
      {"--security-opt", [&](const std::string& v) { out.security_opt.push_back(v); }},
      {"--user", [&](const std::string& v) { out.user = v; }},
      {"--network", [&](const std::string& v) { out.network = v; }},
      {"--hostname", [&](const std::string& v) { out.hostname = v; }},
      {"--runtime", [&](const std::string& v) { out.runtime = v; }},
      {"--add-host", [&](const std::string& v) { out.add_host.push_back(v); }},
      {"--platform", [&](const std::string& v) { out.platform = v; }},
      {"--device", [&](const std::string& v) { out.devices.push_back(parse_device(v)); }},
      {"--label", [&](const std::string& v) { key_value(v, out.labels); }},
  };
  walk_flags(args, with_value, {{"--privileged", &out.privileged}, {"--init", &out.init}},
             {{"-e", "--env"}, {"-v", "--volume"}, {"-p", "--publish"}, {"-u", "--user"}, {"-h", "--hostname"},
              {"-l", "--label"}, {"--net", "--network"}},
             "runArgs",
             "supported: --gpus, --ipc, --shm-size, -e, -v, -p, --cap-add, --security-opt, -u, --network, "
             "--hostname, --runtime, --add-host, --platform, --device, -l, --privileged, --init; remove the flag or use the "
             "matching devcontainer.json property");
  return out;
}

BuildOptions parse_build_options(const std::vector<std::string>& args) {
  BuildOptions out;
  const std::map<std::string, Setter> with_value = {
      {"--label", [&](const std::string& v) { key_value(v, out.labels); }},
      {"--build-arg", [&](const std::string& v) { key_value(v, out.build_args); }},
      {"--platform", [&](const std::string& v) { out.platform = v; }},
      {"--target", [&](const std::string& v) { out.target = v; }},
      {"--network", [&](const std::string& v) { out.network = v; }},
      {"--add-host", [&](const std::string& v) { out.add_hosts.push_back(v); }},
  };
  walk_flags(args, with_value, {{"--no-cache", &out.no_cache}, {"--pull", &out.pull}}, {}, "build.options",
             "the Engine API's build takes --label, --build-arg, --platform, --target, --network, --add-host, "
             "--no-cache and --pull; remove the flag");
  return out;
}

}  // namespace dlc::config
