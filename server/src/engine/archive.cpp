// GET /containers/{id}/archive: a path of the container's filesystem as a tar stream.
#include "engine/engine.h"
#include "support/error.h"

namespace dlc::engine {

void Engine::get_archive(const std::string& id, const std::string& p, const DataSink& on_data, const CancelToken& cancel) const {
  Connection c(endpoint_, cancel);
  auto r = c.stream("GET", path("/containers/" + url_encode(id) + "/archive?path=" + url_encode(p)), {}, on_data);
  if (r.status == 404) {
    throw Error(ErrorCode::PathNotFound, "cannot copy " + p + " out of container " + id + ": " + error_message(r),
                "check that the path exists in the container");
  }
  check(r, "copying " + p + " out of " + id);
}

}  // namespace dlc::engine
