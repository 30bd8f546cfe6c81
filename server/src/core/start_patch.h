// The system files' patch (core/container_setup.h: /etc/environment and /etc/profile, once per container
// behind the reference's markers) done by a new container's own start instead of an exec after it: an
// exec is the largest part of a cold `up` that is not the engine's create and start (~50-100 ms of it).
// The container's keep-alive entrypoint (core/container_plan.h) runs the same script as root, fed the
// same lines, before it says "dlcontainer: container started"; `up` waits for that line in its log.
#pragma once

#include <string>

#include "engine/engine.h"
#include "support/cancel.h"

namespace dlc::core {

// Adds the patch to a spec about to be created; true when added. Only where the start gives exactly
// what the exec gives: the spec runs the keep-alive entrypoint, as root (the patch writes /etc), on
// Docker (Podman's containers hold more variables than the spec's and the image's), and every variable
// is one a shell passes on as it got it (a shell name, not one the shell sets itself: IFS, PWD, ...).
// The lines are Docker's Config.Env (the spec's variables, then the image's the spec does not set),
// each value read from the shell's environment, so none is written into the container's command line.
bool patch_at_start(engine::ContainerSpec& spec, const engine::ImageInfo& image, bool podman);

// Waits for a container made with patch_at_start, just started, to say that it started (its patch
// done), 10 s at most. False when it did not: it stopped, its log cannot be read (a logging driver that
// keeps none), or it was slower; then `up` patches with an exec as for any other container (a no-op
// where the start's patch got there first: the markers make it once per container).
bool wait_until_started(const engine::Engine& engine, const std::string& id, const CancelToken& cancel);

}  // namespace dlc::core
