// Reading a tar archive while it arrives (a container's files from the engine's archive endpoint):
// entry by entry, in bounded memory, so a folder of hundreds of megabytes is never held or unpacked
// whole before what is wanted is picked out of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/http.h"
#include "support/cancel.h"

namespace dlc::engine {

struct TarEntry {
  enum class Type { File, Directory, Symlink, Hardlink, Other };
  std::string path;   // as the archive names it, '/'-separated, without a leading "./"
  Type type = Type::Other;
  std::int64_t size = 0;  // of a file's data
  unsigned mode = 0;      // permission bits
  std::string link;       // a symlink's target, or the path a hardlink names
};

// The data of the current entry; read() returns 0 at its end. Unread data is skipped.
class TarData {
 public:
  virtual ~TarData() = default;
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

// Sees each entry in archive order; returns false to stop reading (the rest is not transferred).
using TarVisitor = std::function<bool(const TarEntry& entry, TarData& data)>;
// Writes the archive's bytes to `sink` (the engine's response body) until the archive ends; `stop`
// is cancelled when the reader wants no more, and must end the transfer (a Connection's token does).
using TarProducer = std::function<void(const DataSink& sink, const CancelToken& stop)>;

// Runs `produce` on a thread of its own and reads what it writes with libarchive on this one, through
// a socket pair (its buffer is the only memory between them). True when the archive was read to its
// end, false when the visitor stopped. What the producer throws (an engine error) is thrown here;
// a damaged archive, or one naming an entry (or a hardlink's target) that is absolute, holds "..",
// is over 64 levels deep or over 4096 bytes, is Error{EngineError}; `cancel` ends both sides with
// Error{Cancelled}. A symlink's target is passed as it is: the visitor decides (the mirror never
// makes links).
bool read_tar_stream(const TarProducer& produce, const TarVisitor& visit, const CancelToken& cancel = {});

}  // namespace dlc::engine
