// Opening a stream to an engine by its endpoint's transport, and the idle connections kept for reuse.
// Internal to engine/.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/endpoint.h"
#include "engine/http.h"
#include "engine/stream.h"

namespace dlc::engine {

// A connected stream (TLS handshake done, ssh master up), or Error{EngineUnavailable|EnginePermission}
// that says which engine and what to do.
std::unique_ptr<ByteStream> dial(const Endpoint& endpoint, const Timeouts& timeouts);

// "the Docker engine at ssh://gpu1 (docker context gpu1 (DOCKER_CONTEXT))": which engine, and how it
// was chosen, for messages.
std::string engine_name(const Endpoint& endpoint);

// Connections kept after a complete keep-alive answer, per engine: an ssh:// connection is a process
// on each side and a TLS one a handshake, too dear to make per request. A kept connection that
// became readable while idle (the engine closed it) is dropped, not handed out.
namespace pool {
std::unique_ptr<ByteStream> take(const std::string& key);
void put(const std::string& key, std::unique_ptr<ByteStream> stream);
// The spare connection dialled ahead for key (nullptr when none, or when its command ended); while a
// DialAhead holds key, a new spare is dialled with dial_next.
std::unique_ptr<ByteStream> take_spare(const std::string& key, const std::function<std::unique_ptr<ByteStream>()>& dial_next);
void hold_ahead(const std::string& key, int delta);
}  // namespace pool

}  // namespace dlc::engine
