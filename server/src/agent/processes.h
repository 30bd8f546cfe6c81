// The agent's process commands: signals, stopping, and commands that must run once. They serve where the
// image may lack kill, flock or a shell (a minimal Debian has no /bin/kill), so dlcontainer needs nothing
// from the image to stop what it started.
//
//   agent signal (--env NAME=VALUE | --pid N) SIGNAL
//                     sends SIGNAL (TERM, KILL, INT, HUP, QUIT, USR1, USR2, 0 or a number) to the process N,
//                     or to every process whose environment holds NAME=VALUE exactly (an exec's processes:
//                     dlcontainer marks each exec so); prints the pids; exit kExitGone when none was found
//   agent stop --env NAME=VALUE [--grace SECONDS]
//                     SIGTERM to those processes, SIGKILL to any left after the grace (default 3 s); exit 0
//                     once none is left, kExitFailure naming the survivors otherwise
//   agent once STATE -- CMD ARGS...
//                     runs CMD unless STATE records that it succeeded before; holds an flock on STATE while
//                     it runs, so a second `once` waits for the first (a killed `dlcontainer up` leaves its
//                     command running) and then skips it if it succeeded; writes "done" into STATE on success
#pragma once

namespace dlc::agent {

int cmd_signal(int argc, char** argv);
int cmd_stop(int argc, char** argv);
int cmd_once(int argc, char** argv);

}  // namespace dlc::agent
