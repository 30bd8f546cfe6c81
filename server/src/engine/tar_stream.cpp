#include "engine/tar_stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

#include "support/archive.h"
#include "support/error.h"

namespace dlc::engine {

namespace {

// libarchive, loaded when first used (support/archive.h, support/library.h say why).
#define AR(f) DLC_CALL(::dlc::libarchive(), f)

// The reading end of the pair, as libarchive's read callback sees it.
struct Source {
  int fd = -1;
  char buffer[64 * 1024];
};

la_ssize_t read_source(struct archive* a, void* self, const void** out) {
  auto* s = static_cast<Source*>(self);
  for (;;) {
    ssize_t n = ::recv(s->fd, s->buffer, sizeof s->buffer, 0);
    if (n >= 0) {
      *out = s->buffer;
      return n;  // 0: the producer is done (or gone)
    }
    if (errno == EINTR) continue;
    AR(archive_set_error)(a, errno, "reading the archive: %s", std::strerror(errno));
    return -1;
  }
}

class ArchiveData : public TarData {
 public:
  explicit ArchiveData(struct archive* a) : a_(a) {}
  std::size_t read(char* buffer, std::size_t size) override {
    la_ssize_t n = AR(archive_read_data)(a_, buffer, size);
    if (n < 0) throw Error(ErrorCode::EngineError, std::string("the archive from the engine is damaged: ") + AR(archive_error_string)(a_));
    return static_cast<std::size_t>(n);
  }

 private:
  struct archive* a_;
};

// The archive comes from outside (the engine, and a container's files): a name that could reach
// out of the folder it is unpacked into, or that is deeper or longer than a path can be, is refused
// before any visitor sees it.
constexpr std::size_t kMaxName = 4096;
constexpr int kMaxDepth = 64;

std::string checked_name(const char* raw) {
  std::string name = raw ? raw : "";
  if (name.starts_with("./")) name.erase(0, 2);
  auto unsafe = [&](const std::string& why) {
    return Error(ErrorCode::EngineError, "the archive from the engine names an unsafe path (" + why + "): " + name.substr(0, 200));
  };
  if (name.empty()) throw unsafe("empty");
  if (name.size() > kMaxName) throw unsafe("over 4096 bytes");
  if (name.front() == '/') throw unsafe("absolute");
  int depth = 0;
  for (std::size_t start = 0; start < name.size();) {
    auto end = std::min(name.find('/', start), name.size());
    std::string_view part(name.data() + start, end - start);
    if (part == "..") throw unsafe("\"..\"");
    if (!part.empty() && ++depth > kMaxDepth) throw unsafe("over 64 levels");
    start = end + 1;
  }
  return name;
}

TarEntry entry_of(struct archive_entry* e) {
  TarEntry t;
  t.path = checked_name(AR(archive_entry_pathname)(e));
  t.size = AR(archive_entry_size)(e);
  t.mode = AR(archive_entry_perm)(e);
  if (const char* hard = AR(archive_entry_hardlink)(e)) {
    t.type = TarEntry::Type::Hardlink;
    t.link = checked_name(hard);
    return t;
  }
  switch (AR(archive_entry_filetype)(e)) {
    case AE_IFREG: t.type = TarEntry::Type::File; break;
    case AE_IFDIR: t.type = TarEntry::Type::Directory; break;
    case AE_IFLNK:
      t.type = TarEntry::Type::Symlink;
      if (const char* target = AR(archive_entry_symlink)(e)) t.link = target;
      break;
    default: t.type = TarEntry::Type::Other;
  }
  return t;
}

}  // namespace

bool read_tar_stream(const TarProducer& produce, const TarVisitor& visit, const CancelToken& cancel) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    throw Error(ErrorCode::Internal, std::string("cannot make a socket pair: ") + std::strerror(errno));
  }
  CancelToken stop = CancelToken::make();
  auto forward_cancel = cancel.on_cancel([stop] { stop.cancel(); });
  std::exception_ptr produced_error;
  // Set once the reader is done (the archive's end marker comes before the engine's last bytes, its
  // padding): what the producer throws after that is our own stop, not a failure.
  std::atomic<bool> reader_done = false;
  std::thread producer([&, write_fd = fds[1]] {
    try {
      produce(
          [&](std::string_view piece) {
            while (!piece.empty()) {
              ssize_t n = ::send(write_fd, piece.data(), piece.size(), MSG_NOSIGNAL);
              if (n < 0 && errno == EINTR) continue;
              // The reader closed its end: it wants no more.
              if (n <= 0) throw Error(ErrorCode::Cancelled, "the archive's reader stopped");
              piece.remove_prefix(static_cast<std::size_t>(n));
            }
          },
          stop);
    } catch (...) {
      if (!reader_done) produced_error = std::current_exception();
    }
    ::shutdown(write_fd, SHUT_WR);
  });

  Source source{.fd = fds[0]};
  bool stopped = false;
  std::string damage;
  struct archive* a = nullptr;
  // Whatever happens below, the producer is stopped and joined before the descriptors go.
  auto finish = [&] {
    reader_done = true;
    if (a) AR(archive_read_free)(a);
    a = nullptr;
    stop.cancel();
    ::shutdown(fds[0], SHUT_RDWR);
    if (producer.joinable()) producer.join();
    ::close(fds[0]);
    ::close(fds[1]);
  };
  try {
    a = AR(archive_read_new)();
    AR(archive_read_support_format_tar)(a);
    if (AR(archive_read_open)(a, &source, nullptr, &read_source, nullptr) != ARCHIVE_OK) {
      damage = AR(archive_error_string)(a) ? AR(archive_error_string)(a) : "cannot open it";
    }
    while (damage.empty()) {
      struct archive_entry* e = nullptr;
      int rc = AR(archive_read_next_header)(a, &e);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) {
        const char* why = AR(archive_error_string)(a);
        damage = why ? why : "unreadable header";
        break;
      }
      ArchiveData data(a);
      if (!visit(entry_of(e), data)) {
        stopped = true;
        break;
      }
    }
  } catch (...) {
    finish();
    throw;
  }
  finish();
  cancel.throw_if_cancelled();
  if (stopped) return false;
  if (produced_error) std::rethrow_exception(produced_error);
  if (!damage.empty()) throw Error(ErrorCode::EngineError, "the archive from the engine is damaged: " + damage);
  return true;
}

}  // namespace dlc::engine
