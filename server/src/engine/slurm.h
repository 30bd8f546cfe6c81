// slurm:// endpoints: HTTP to a Podman service that runs in a Slurm job, over
// `srun --jobid J --overlap podman --url unix://SOCKET system dial-stdio` — the same shape as ssh's
// `docker system dial-stdio`, with the scheduler's own launcher (its authentication, its node
// lookup, no open port on the node). Internal to engine/.
#pragma once

#include <memory>
#include <string>

#include "engine/endpoint.h"
#include "engine/stream.h"

namespace dlc::engine {

// A stream to the job's Podman service; a failure is explained when the stream ends (explain()).
std::unique_ptr<ByteStream> dial_slurm(const Endpoint& e, const Wait& wait);

// The words of srun's (or the node's podman's) error output as an Error about the job (exposed for tests).
Error slurm_failure(const Endpoint& e, const std::string& output, int exit_status);

}  // namespace dlc::engine
