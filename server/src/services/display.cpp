// What debugging and GUI windows need from the container spec. The X11 part follows the usual
// recipe for X clients in containers: the server's socket folder mounted, DISPLAY passed, and the
// display's cookie copied into a file of its own with the "any host" family, so that the container's
// different hostname still matches it.
#include <X11/Xauth.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "services/services.h"

namespace dlc::services {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kXauthFolder = "/tmp/.dlcontainer-x11";  // in the container
constexpr unsigned short kFamilyWild = 65535;
constexpr unsigned short kFamilyLocal = 256;

bool enabled(const json& settings, const char* key) {
  auto it = settings.find(key);
  if (it == settings.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_object()) return it->value("enabled", true);
  return false;
}

// ":1", ":1.0", "unix:1": the local display's number; nullopt for a display over TCP.
std::optional<std::string> local_display_number(const std::string& display) {
  std::string rest;
  if (display.starts_with(":")) rest = display.substr(1);
  else if (display.starts_with("unix:")) rest = display.substr(5);
  else return std::nullopt;
  auto dot = rest.find('.');
  std::string number = rest.substr(0, dot);
  if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return number;
}

fs::path cookie_folder(const std::string& container_name) {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = cache && *cache ? fs::path(cache) : fs::path(home && *home ? home : "/tmp") / ".cache";
  return base / "dlcontainer" / "x11" / container_name;
}

// Copies the host's cookie for display `number` into `file` as a FamilyWild entry. Rewritten in
// place (same inode), so that a running container's bind mount sees the new cookie.
void write_cookie(const fs::path& file, const std::string& number) {
  char hostname[256] = "";
  ::gethostname(hostname, sizeof hostname - 1);
  Xauth* chosen = nullptr;
  if (const char* source = XauFileName(); source != nullptr) {
    if (FILE* in = std::fopen(source, "rb")) {
      while (Xauth* a = XauReadAuth(in)) {
        std::string num(a->number, a->number_length), addr(a->address, a->address_length);
        bool ours = num == number && (a->family == kFamilyWild || (a->family == kFamilyLocal && addr == hostname));
        if (ours && chosen == nullptr) {
          chosen = a;
        } else {
          XauDisposeAuth(a);
        }
      }
      std::fclose(in);
    }
  }
  FILE* out = std::fopen(file.c_str(), "wb");  // truncates the same file
  if (out == nullptr) {
    spdlog::warn("cannot write the X11 cookie {}: GUI windows may be refused", file.string());
  } else {
    if (chosen != nullptr) {
      chosen->family = kFamilyWild;
      chosen->address_length = 0;
      XauWriteAuth(out, chosen);
    }
    std::fclose(out);
    // The container's user is not the host's: it must read the file. The folder above it is the
    // host user's own (0700), and only this one folder is mounted.
    ::chmod(file.c_str(), 0644);
  }
  if (chosen != nullptr) XauDisposeAuth(chosen);
}

}  // namespace

std::string publish_address(const json& settings) {
  auto it = settings.find("bindAddress");
  return it != settings.end() && it->is_string() ? it->get<std::string>() : "127.0.0.1";
}

void add_container_options(const json& settings, const std::string& container_name, engine::ContainerSpec& spec) {
  if (enabled(settings, "debug")) {
    // What gdbserver and debugpy's attach need: ptrace, and a seccomp profile that allows it fully.
    if (std::find(spec.cap_add.begin(), spec.cap_add.end(), "SYS_PTRACE") == spec.cap_add.end()) spec.cap_add.push_back("SYS_PTRACE");
    bool has_seccomp = std::any_of(spec.security_opt.begin(), spec.security_opt.end(),
                                   [](const std::string& o) { return o.starts_with("seccomp"); });
    if (!has_seccomp) spec.security_opt.push_back("seccomp=unconfined");
  }
  if (!enabled(settings, "gui")) return;
  const char* display = std::getenv("DISPLAY");
  if (display == nullptr || *display == '\0') {
    spdlog::warn("customizations.dlcontainer.gui is on but DISPLAY is not set: the container gets no display");
    return;
  }
  auto number = local_display_number(display);
  if (!number) {
    spdlog::warn("DISPLAY={} is not a local display (an SSH-forwarded one?): the container cannot reach it", display);
    return;
  }
  fs::path folder = cookie_folder(container_name);
  std::error_code ec;
  fs::create_directories(folder, ec);
  fs::permissions(folder.parent_path().parent_path(), fs::perms::owner_all, ec);  // .../dlcontainer
  fs::permissions(folder, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec, ec);
  write_cookie(folder / "Xauthority", *number);
  spec.mounts.push_back(engine::Mount{.type = "bind", .source = "/tmp/.X11-unix", .target = "/tmp/.X11-unix"});
  spec.mounts.push_back(engine::Mount{.type = "bind", .source = folder.string(), .target = kXauthFolder, .read_only = true});
  spec.env.push_back("DISPLAY=:" + *number);
  spec.env.push_back(std::string("XAUTHORITY=") + kXauthFolder + "/Xauthority");
  spec.env.push_back("QT_X11_NO_MITSHM=1");  // shared memory does not cross the container's IPC namespace
}

void refresh_display(const json& settings, const std::string& container_name) {
  if (!enabled(settings, "gui")) return;
  const char* display = std::getenv("DISPLAY");
  auto number = display ? local_display_number(display) : std::nullopt;
  fs::path file = cookie_folder(container_name) / "Xauthority";
  std::error_code ec;
  if (number && fs::exists(file, ec)) write_cookie(file, *number);
}

}  // namespace dlc::services
