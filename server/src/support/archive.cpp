#include "support/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "support/error.h"

namespace dlc {

const Library& libarchive() {
  static const Library lib(DLC_LIBARCHIVE_SONAME, "libarchive13");
  return lib;
}

#define AR(f) DLC_CALL(libarchive(), f)

namespace {

struct ReaderDeleter {
  void operator()(struct archive* a) const { AR(archive_read_free)(a); }
};
struct WriterDeleter {
  void operator()(struct archive* a) const { AR(archive_write_free)(a); }
};

// A name that is absolute or climbs with "..".
bool escapes(const std::string& name) {
  if (name.starts_with("/")) return true;
  for (const auto& part : std::filesystem::path(name))
    if (part == "..") return true;
  return false;
}

}  // namespace

void extract_tar(std::string_view data, const std::filesystem::path& dest, const std::string& what,
                 const ExtractLimits& limits) {
  std::unique_ptr<struct archive, ReaderDeleter> in(AR(archive_read_new)());
  std::unique_ptr<struct archive, WriterDeleter> out(AR(archive_write_disk_new)());
  AR(archive_read_support_filter_all)(in.get());
  AR(archive_read_support_format_tar)(in.get());
  // Entries are written at dest/<name> (absolute paths, which NOABSOLUTEPATHS would refuse), so
  // names are checked here first; the SECURE flags still refuse ".." and writing through symlinks.
  AR(archive_write_disk_set_options)(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                    ARCHIVE_EXTRACT_SECURE_SYMLINKS);
  auto fail = [&](struct archive* a, const std::string& why) {
    const char* detail = a ? AR(archive_error_string)(a) : nullptr;
    throw Error(ErrorCode::ConfigInvalid, what + " cannot be unpacked: " + why + (detail ? std::string(": ") + detail : ""),
                "check that it is a tar archive (.tar or .tgz) as the Features spec packages them");
  };
  if (AR(archive_read_open_memory)(in.get(), data.data(), data.size()) != ARCHIVE_OK) fail(in.get(), "not an archive");
  std::error_code ec;
  std::filesystem::create_directories(dest, ec);
  if (ec) throw Error(ErrorCode::Internal, "cannot create " + dest.string() + ": " + ec.message());

  std::size_t entries = 0, total = 0;
  struct archive_entry* entry = nullptr;
  for (;;) {
    int r = AR(archive_read_next_header)(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) fail(in.get(), "a damaged entry");
    if (++entries > limits.max_entries) fail(nullptr, "more than " + std::to_string(limits.max_entries) + " entries");
    auto type = AR(archive_entry_filetype)(entry);
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) continue;  // no devices, fifos or sockets
    std::string name = AR(archive_entry_pathname)(entry);
    if (escapes(name)) fail(nullptr, "entry " + name + " would land outside its folder");
    std::filesystem::path target = dest / std::filesystem::path(name).relative_path();
    AR(archive_entry_set_pathname)(entry, target.c_str());
    if (const char* hard = AR(archive_entry_hardlink)(entry)) {
      if (escapes(hard)) fail(nullptr, "entry " + name + " links outside its folder");
      std::filesystem::path linked = dest / std::filesystem::path(hard).relative_path();
      AR(archive_entry_set_hardlink)(entry, linked.c_str());
    }
    AR(archive_entry_set_uid)(entry, 0);
    AR(archive_entry_set_gid)(entry, 0);
    if (AR(archive_write_header)(out.get(), entry) < ARCHIVE_WARN) fail(out.get(), "entry " + name);
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      r = AR(archive_read_data_block)(in.get(), &block, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) fail(in.get(), "entry " + name);
      total += size;
      if (total > limits.max_total_bytes)
        fail(nullptr, "more than " + std::to_string(limits.max_total_bytes >> 20) + " MiB unpacked");
      if (AR(archive_write_data_block)(out.get(), block, size, offset) < ARCHIVE_WARN) fail(out.get(), "entry " + name);
    }
    if (AR(archive_write_finish_entry)(out.get()) < ARCHIVE_WARN) fail(out.get(), "entry " + name);
  }
  if (AR(archive_write_close)(out.get()) < ARCHIVE_WARN) fail(out.get(), "closing");
}

}  // namespace dlc
