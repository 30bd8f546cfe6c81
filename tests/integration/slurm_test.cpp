// `up --slurm` against a real single-node Slurm cluster (slurm_support.h): the job that holds the
// engine goes pending -> running, the workspace comes up in the job's rootless Podman and is reached
// through srun, exec carries exit status and input, status shows the job, down cancels it, a job
// ended by its time limit turns the workspace to exited with Slurm's reason, and every refusal
// (no sbatch, an unknown partition, pending past the wait, no podman on the node) is said plainly
// with no job left behind; Jupyter in the job's container answers on this machine's loopback. One
// cluster for the suite: starting it and loading the image is most of the time.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/rpc_client.h"
#include "integration/slurm_support.h"
#include "rpc/schema.h"
#include "services/probe.h"

namespace dlc::testing {
namespace {

using json = nlohmann::json;
constexpr const char* kServicesImage = "dlc-test/services:latest";  // Debian's Jupyter (tests/images/services)

json parse(const RunResult& r) { return json::parse(r.out, nullptr, false); }

class Slurm : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new SlurmCluster(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void TearDown() override {
    if (cluster_ && cluster_->ok()) {
      // What each test leaves: no job pending or running. (A test that failed half-way left its job
      // for this cancel: said once is enough.)
      if (!HasFailure()) {
        EXPECT_TRUE(cluster_->live_jobs().empty()) << "jobs left: " << cluster_->slurm({"squeue"}).out;
      }
      // A failed test's job and record must not make the next test fail too.
      cluster_->slurm({"scancel", "--user=" + cluster_->user()});
      std::error_code ec;
      std::filesystem::remove_all(cluster_->home() / ".local/state/dlcontainer/slurm", ec);
    }
  }
  SlurmCluster& cluster() { return *cluster_; }
  // For a Jupyter that did not answer: the job's steps, what listens on the node, the forwarding
  // processes' logs, and whether Jupyter answers inside the job's container.
  std::string jupyter_diagnosis(const Workspace& ws) {
    std::string runtime = cluster().runtime_dir() + "/dlcontainer-" + std::to_string(cluster().uid());
    auto steps = cluster().slurm({"squeue", "--steps"});
    auto listening = run({"sh", "-c", "ss -ltnp | grep -E ':88[0-9][0-9] ' || true"});
    auto forwards = run({"sh", "-c", "for f in " + runtime + "/forwards/*; do echo \"== $f\"; tail -n 20 \"$f\"; done"});
    auto inside = cluster().dlc({"exec", "-w", ws.str(), "--", "python3", "-c",
                                 "import urllib.request as u\n"
                                 "try: print(u.urlopen('http://127.0.0.1:8888/api/status', timeout=10).status)\n"
                                 "except Exception as e: print('inside:', e)"});
    return "\nsteps:\n" + steps.out + "\nlistening:\n" + listening.out + "\nforwards:\n" + forwards.out + forwards.err +
           "\nJupyter from inside the container: " + inside.out + inside.err;
  }
  // The Slurm records (one per workspace with a job) in the user's state folder.
  int records() {
    int n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(cluster().home() / ".local/state/dlcontainer/slurm", ec))
      n += e.path().extension() == ".json";
    return n;
  }
  void set_partition(const char* state) {
    auto r = cluster().slurm({"scontrol", "update", std::string("PartitionName=") + SlurmCluster::kPartition, std::string("State=") + state});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  // The server's workspace/didChangeStatus for ws within `limit`: a "die" whose status (valid by the
  // schema) is exited, with the job's id. Returns that status (null when none came).
  json told_ended(RpcClient& client, const std::string& ws, const std::string& job, std::chrono::seconds limit) {
    auto note = client.wait_notification(
        [&](const json& n) { return n["method"] == "workspace/didChangeStatus" && n["params"]["workspace"] == ws; }, limit);
    if (!note.is_object() || !note.contains("params")) {
      ADD_FAILURE() << "no workspace/didChangeStatus within " << limit.count() << " s";
      return json();
    }
    EXPECT_EQ(note["params"]["event"], "die");
    const auto& s = note["params"]["status"];
    EXPECT_EQ(s["state"], "exited") << s;
    EXPECT_EQ(s["allocation"]["jobId"], job);
    EXPECT_FALSE(rpc::protocol_schemas().check("workspace.didChangeStatus.json#/$defs/params", note["params"], "params"));
    return s;
  }
  // Told once: the workspace/didChangeStatus for ws the server sends until `until` (its watcher's
  // later rounds, every 5 s, find the job ended and say nothing more).
  int told_again(RpcClient& client, const std::string& ws, std::chrono::steady_clock::time_point until) {
    int more = 0;
    while (std::chrono::steady_clock::now() < until) {
      auto m = client.next(std::chrono::milliseconds(500));
      if (m && (*m)["method"] == "workspace/didChangeStatus" && (*m)["params"]["workspace"] == ws) ++more;
    }
    return more;
  }
  static SlurmCluster* cluster_;
};

SlurmCluster* Slurm::cluster_ = nullptr;

TEST_F(Slurm, UpWaitsThroughPendingToRunningGetsTheJobsGpuThenExecStatusPlanAndDownCancelTheJob) {
  DLC_REQUIRE_SLURM(cluster());
  auto ws = cluster().workspace();
  // Pending first, for a reason Slurm gives: the partition is down until the job has been seen waiting.
  set_partition("DOWN");
  Spawned up(cluster().user_command({"up", ws->str(), "--slurm", "--slurm-gpus", "1", "--time", "10", "--json"}), cluster().home());
  bool pending = up.wait_for("pending (PartitionDown)", 60);
  set_partition("UP");
  ASSERT_TRUE(pending) << up.output;
  int code = up.wait_exit(300).value_or(-1);
  up.wait_for("\x01", 5);  // what it wrote last, to its end
  ASSERT_EQ(code, 0) << up.output << cluster().diagnose();
  EXPECT_NE(up.output.find("running on dlcnode"), std::string::npos) << up.output;
  auto j = json::parse(up.output.substr(up.output.find("{\n")), nullptr, false);
  ASSERT_TRUE(j.is_object()) << up.output;
  EXPECT_EQ(j["action"], "created");
  EXPECT_EQ(j["allocation"]["state"], "RUNNING");
  EXPECT_EQ(j["allocation"]["node"], SlurmCluster::kNode);
  std::string job = j["allocation"]["jobId"];
  EXPECT_EQ(j["engine"].get<std::string>().rfind("slurm://" + job + "/", 0), 0u) << j["engine"];

  // The job got the GPU Slurm allocated (its output names CUDA_VISIBLE_DEVICES).
  auto show = cluster().slurm({"scontrol", "show", "job", job});
  EXPECT_NE(show.out.find("TresPerNode=gres:gpu:1"), std::string::npos) << show.out;
  EXPECT_NE(cluster().diagnose().find("CUDA_VISIBLE_DEVICES=0"), std::string::npos) << cluster().diagnose();
  // And the container is given that GPU (Slurm's index 0, read from a step of the job on the node), not
  // "all"; the node has no NVIDIA driver, so it starts without it and says why, of the node.
  EXPECT_EQ(j["gpu"]["selection"], "device=0") << j["gpu"];
  EXPECT_EQ(j["gpu"]["method"], "none") << j["gpu"];
  std::string why = j["gpu"]["reason"];
  EXPECT_NE(why.find("starting without a GPU (the GPUs Slurm job " + job + " was given)"), std::string::npos) << why;
  EXPECT_NE(why.find("the node of Slurm job " + job), std::string::npos) << why;
  // plan, with no --host, decides for the recorded job's node (its driver: none there, a CPU image).
  auto plan = cluster().dlc({"plan", ws->str(), "--json"});
  ASSERT_EQ(plan.status, 0) << plan.err;
  std::string planned_for = parse(plan)["plan"]["host"];
  EXPECT_EQ(planned_for.rfind("on the node of Slurm job " + job, 0), 0u) << planned_for;

  auto fail = cluster().dlc({"exec", "-w", ws->str(), "--", "sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(fail.status, 7) << fail.err;
  EXPECT_EQ(fail.out, "out\n");
  EXPECT_EQ(fail.err, "err\n");
  RunOptions input;
  input.stdin_data = "one\ntwo\n";
  auto cat = cluster().dlc({"exec", "-w", ws->str(), "--", "sh", "-c", "tr a-z A-Z"}, input);
  EXPECT_EQ(cat.out, "ONE\nTWO\n") << cat.err;
  // The workspace folder is the same folder in the container (the shared file system's part).
  auto ls = cluster().dlc({"exec", "-w", ws->str(), "--", "sh", "-c", "cat .devcontainer/devcontainer.json"});
  EXPECT_NE(ls.out.find("--network=host"), std::string::npos) << ls.err;

  auto status = cluster().dlc({"status", ws->str(), "--json"});
  ASSERT_EQ(status.status, 0) << status.err;
  auto s = parse(status);
  EXPECT_EQ(s["state"], "running") << status.out;
  EXPECT_EQ(s["allocation"]["jobId"], job);
  EXPECT_EQ(s["allocation"]["node"], SlurmCluster::kNode);
  EXPECT_FALSE(s["allocation"]["timeLeft"].get<std::string>().empty());
  auto human = cluster().dlc({"status", ws->str()});
  EXPECT_NE(human.out.find("slurm " + job + " RUNNING on dlcnode"), std::string::npos) << human.out;

  auto down = cluster().dlc({"down", ws->str(), "--json"});
  ASSERT_EQ(down.status, 0) << down.err;
  auto d = parse(down);
  EXPECT_EQ(d["action"], "removed") << down.out;
  EXPECT_EQ(d["allocation"]["state"], "CANCELLED") << down.out;
  EXPECT_TRUE(cluster().live_jobs().empty());
  EXPECT_EQ(records(), 0);
  EXPECT_TRUE(std::filesystem::exists(ws->path() / ".devcontainer/devcontainer.json"));  // the user's files stay
}

// Slurm's shortest time limit is a minute, and it enforces limits every 30 s (a constant of slurmctld,
// not a setting): this test waits 60 to 90 s whatever the cluster's configuration, so the server's
// watcher is shown on the same job (an end behind its back) rather than on a job of its own.
TEST_F(Slurm, AJobEndedByItsTimeLimitTurnsTheWorkspaceToExitedWithTheReasonInStatusAndToTheServerAndUpAgainConverges) {
  DLC_REQUIRE_SLURM(cluster());
  auto ws = cluster().workspace();
  auto up = cluster().dlc({"up", ws->str(), "--slurm", "--time", "1", "--json"});
  ASSERT_EQ(up.status, 0) << up.err << up.out;
  std::string job = parse(up)["allocation"]["jobId"];
  EXPECT_EQ(cluster().dlc({"exec", "-w", ws->str(), "--", "true"}).status, 0);

  // A server that runs while the job ends tells it as workspace/didChangeStatus (its watcher asks
  // Slurm every 5 s): exited, with Slurm's state (COMPLETING while it is stopped, then TIMEOUT).
  auto client = RpcClient::command(cluster().user_command({"serve", "--stdio"}));
  client->initialize();
  auto running = client->call("workspace/status", {{"workspace", ws->str()}});
  ASSERT_EQ(running["result"]["state"], "running") << running;
  auto told = told_ended(*client, ws->str(), job, std::chrono::seconds(120));
  ASSERT_TRUE(told.is_object());
  const auto told_at = std::chrono::steady_clock::now();
  std::string told_state = told["allocation"]["state"];
  EXPECT_TRUE(told_state == "TIMEOUT" || told_state == "COMPLETING") << told;
  EXPECT_EQ(told["allocation"]["reason"], "TimeLimit") << told;

  // status: exited from the moment Slurm ends it (COMPLETING while its processes are stopped), then TIMEOUT.
  json s;
  RunResult last;
  bool completing_seen_as_exited = true;
  for (int i = 0; i < 60; ++i) {
    last = cluster().dlc({"status", ws->str(), "--json"});
    s = parse(last);
    if (!s.is_object() || !s.contains("allocation")) break;
    bool ending = s["allocation"]["state"] == "COMPLETING";
    if (ending) completing_seen_as_exited &= s["state"] == "exited";
    if (s["state"] == "exited" && !ending) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_TRUE(completing_seen_as_exited);
  // The server said it once, though Slurm's state went on from COMPLETING to TIMEOUT meanwhile.
  auto quiet_until = std::max(told_at + std::chrono::seconds(7), std::chrono::steady_clock::now() + std::chrono::seconds(1));
  EXPECT_EQ(told_again(*client, ws->str(), quiet_until), 0);
  client->close_input();
  client->wait_exit(std::chrono::seconds(20));
  ASSERT_TRUE(s.is_object() && s.value("state", "") == "exited") << last.out << last.err;
  EXPECT_EQ(s["allocation"]["state"], "TIMEOUT") << s.dump();
  EXPECT_EQ(s["allocation"]["jobId"], job);
  auto exec = cluster().dlc({"exec", "-w", ws->str(), "--", "true"});
  EXPECT_NE(exec.status, 0);
  EXPECT_NE(exec.err.find("is not running: TIMEOUT"), std::string::npos) << exec.err;
  EXPECT_NE(exec.err.find("up --slurm"), std::string::npos) << exec.err;

  auto again = cluster().dlc({"up", ws->str(), "--slurm", "--time", "10", "--json"});
  ASSERT_EQ(again.status, 0) << again.err << again.out;
  auto a = parse(again);
  EXPECT_NE(a["allocation"]["jobId"], job) << "a new job";
  EXPECT_EQ(cluster().dlc({"exec", "-w", ws->str(), "--", "true"}).status, 0);
  EXPECT_EQ(cluster().dlc({"down", ws->str()}).status, 0);
}

TEST_F(Slurm, AGpuTheJobWasNotGivenIsRefusedBeforeAnythingIsMadeAndTheJobCancelled) {
  DLC_REQUIRE_SLURM(cluster());
  auto ws = cluster().workspace(R"(, "hostRequirements": {"gpu": true})");
  auto none = cluster().dlc({"up", ws->str(), "--slurm", "--time", "10"});
  EXPECT_NE(none.status, 0);
  EXPECT_NE(none.err.find("was given no GPU"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("--slurm-gpus 1"), std::string::npos) << none.err;
  EXPECT_TRUE(cluster().live_jobs().empty());
  EXPECT_EQ(records(), 0);

  auto other = cluster().dlc({"up", ws->str(), "--slurm", "--slurm-gpus", "1", "--gpus", "device=1", "--time", "10"});
  EXPECT_NE(other.status, 0);
  EXPECT_NE(other.err.find("asks for GPU 1 and Slurm job"), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("was given GPU 0"), std::string::npos) << other.err;
  EXPECT_TRUE(cluster().live_jobs().empty());
}

// Jupyter (Debian's, in the services image) runs in the job's container; its URL is on this machine's
// loopback, relayed through the job (srun --overlap), and its API answers with the token only. A
// forward of a port nothing publishes takes the same path.
TEST_F(Slurm, JupyterInTheJobsContainerAnswersOnThisMachinesLoopbackWithItsTokenAndAForwardToo) {
  DLC_REQUIRE_SLURM(cluster());
  ASSERT_TRUE(cluster().load_image(kServicesImage)) << cluster().why();
  auto ws = cluster().workspace(R"(, "remoteUser": "dev")", kServicesImage);
  ws->write("analysis.ipynb", R"({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})");
  ws->write("served.txt", "from the job's container\n");
  run({"chown", "-R", cluster().user() + ":" + cluster().user(), ws->str()});
  auto up = cluster().dlc({"up", ws->str(), "--slurm", "--time", "10", "--json"});
  ASSERT_EQ(up.status, 0) << up.err << up.out << cluster().diagnose();

  auto nb_run = cluster().dlc({"jupyter", ws->str(), "--json"});
  ASSERT_EQ(nb_run.status, 0) << nb_run.err << nb_run.out << jupyter_diagnosis(*ws);
  auto nb = parse(nb_run);
  EXPECT_EQ(nb["via"], "forwarded") << nb.dump(2);
  std::string url = nb["url"];
  auto token_at = url.find("?token=");
  ASSERT_NE(token_at, std::string::npos) << url;
  std::string token = url.substr(token_at + 7);
  int port = nb["hostPort"];
  EXPECT_EQ(url.rfind("http://127.0.0.1:" + std::to_string(port) + "/", 0), 0u) << url;
  auto with = services::wait_http("127.0.0.1", port, "/api/contents?token=" + token, {}, 200, std::chrono::seconds(30));
  ASSERT_TRUE(with) << "Jupyter's API did not answer on 127.0.0.1:" << port;
  EXPECT_NE(with->body.find("analysis.ipynb"), std::string::npos) << "not the workspace folder: " << with->body;
  auto without = services::http_get("127.0.0.1", port, "/api/contents");
  ASSERT_TRUE(without);
  EXPECT_TRUE(without->status == 403 || without->status == 401) << without->status;

  // On the container's loopback only. With the host's network the node's 127.0.0.1:PORT is taken by
  // it, so the forward's port on this machine is another one: an answer there came through the job.
  const int served = free_port();
  const std::string folder = parse(up)["remoteWorkspaceFolder"];
  auto start = cluster().dlc({"exec", "-w", ws->str(), "--", "sh", "-c",
                              "nohup python3 -m http.server " + std::to_string(served) + " --bind 127.0.0.1 --directory " + folder +
                                  " >/dev/null 2>&1 &"});
  ASSERT_EQ(start.status, 0) << start.err;
  auto fwd = cluster().dlc({"forward", "-w", ws->str(), std::to_string(served), "--detach", "--json"});
  ASSERT_EQ(fwd.status, 0) << fwd.err;
  auto f = parse(fwd);
  int host_port = f["hostPort"];
  EXPECT_EQ(f["hostIp"], "127.0.0.1");
  EXPECT_NE(host_port, served);
  auto answer = services::wait_http("127.0.0.1", host_port, "/served.txt", {}, 200, std::chrono::seconds(30));
  ASSERT_TRUE(answer) << "no answer through the forward";
  EXPECT_EQ(answer->body, "from the job's container\n");
  auto ports = cluster().dlc({"ports", ws->str(), "--json"});
  EXPECT_NE(ports.out.find("\"forwarded\""), std::string::npos) << ports.out << ports.err;
  EXPECT_EQ(cluster().dlc({"forward", "-w", ws->str(), std::to_string(served), "--stop"}).status, 0);
  EXPECT_EQ(cluster().dlc({"jupyter", ws->str(), "--stop"}).status, 0);
  EXPECT_EQ(cluster().dlc({"down", ws->str()}).status, 0);
}

// The watcher's path again, for an end by scancel: the time-limit test above shows it in the default
// suite; scripts/test.sh runs this one with DLC_E2E=1 (--gtest_also_run_disabled_tests).
class SlurmE2E : public Slurm {};

TEST_F(SlurmE2E, DISABLED_AJobCancelledBehindTheServersBackIsToldAsExitedWithSlurmsState) {
  DLC_REQUIRE_SLURM(cluster());
  auto ws = cluster().workspace();
  auto up = cluster().dlc({"up", ws->str(), "--slurm", "--time", "10", "--json"});
  ASSERT_EQ(up.status, 0) << up.err << up.out << cluster().diagnose();
  std::string job = parse(up)["allocation"]["jobId"];

  auto client = RpcClient::command(cluster().user_command({"serve", "--stdio"}));
  client->initialize();
  auto status = client->call("workspace/status", {{"workspace", ws->str()}});
  ASSERT_EQ(status["result"]["state"], "running") << status;

  ASSERT_EQ(cluster().slurm({"scancel", job}).status, 0);  // not through dlcontainer
  auto told = told_ended(*client, ws->str(), job, std::chrono::seconds(40));
  ASSERT_TRUE(told.is_object());
  std::string state = told["allocation"]["state"];
  EXPECT_TRUE(state == "CANCELLED" || state == "COMPLETING") << told;
  EXPECT_EQ(told_again(*client, ws->str(), std::chrono::steady_clock::now() + std::chrono::seconds(7)), 0);
  client->close_input();
  client->wait_exit(std::chrono::seconds(20));
}

TEST_F(Slurm, AJobPendingPastTheWaitIsCancelledAndSlurmsReasonSaid) {
  DLC_REQUIRE_SLURM(cluster());
  auto ws = cluster().workspace();
  set_partition("DOWN");
  auto up = cluster().dlc({"up", ws->str(), "--slurm", "--slurm-wait", "3"});
  set_partition("UP");
  EXPECT_NE(up.status, 0);
  EXPECT_NE(up.err.find("still pending after 3 s"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("PartitionDown"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("cancelled"), std::string::npos) << up.err;
  EXPECT_TRUE(cluster().live_jobs().empty());
  EXPECT_EQ(records(), 0) << "no job is recorded for the workspace";
}

TEST_F(Slurm, AnUnknownPartitionIsRefusedWithSbatchsWordsAndNoJob) {
  DLC_REQUIRE_SLURM(cluster());
  auto ws = cluster().workspace();
  auto up = cluster().dlc({"up", ws->str(), "--slurm", "--partition", "nosuchpart"});
  EXPECT_NE(up.status, 0);
  EXPECT_NE(up.err.find("Slurm has no partition \"nosuchpart\""), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("sinfo"), std::string::npos) << up.err;
  EXPECT_TRUE(cluster().live_jobs().empty());
}

TEST_F(Slurm, NoPodmanOnTheNodeEndsTheJobAndSaysWhatTheNodesNeed) {
  DLC_REQUIRE_SLURM(cluster());
  auto ws = cluster().workspace();
  // The job inherits the submitter's PATH (sbatch's --export=ALL): one with Slurm's tools and the
  // shell's, without podman, is a node without Podman.
  auto bin = ws->path().parent_path() / "bin";
  std::filesystem::create_directories(bin);
  for (const char* tool : {"sbatch", "squeue", "scancel", "srun", "sh", "id", "mkdir", "rm", "hostname", "cat"}) {
    auto where = run({"sh", "-c", std::string("command -v ") + tool}).out;
    std::filesystem::create_symlink(where.substr(0, where.find('\n')), bin / tool);
  }
  RunOptions path;
  path.env["PATH"] = bin.string();
  auto up = cluster().dlc({"up", ws->str(), "--slurm"}, path);
  EXPECT_NE(up.status, 0);
  EXPECT_NE(up.err.find("no podman on"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("docs/slurm.md"), std::string::npos) << up.err;
  EXPECT_TRUE(cluster().live_jobs().empty());
}

TEST(SlurmClient, NoSbatchOnPathSaysToRunOnTheLoginNode) {
  Workspace ws;
  ws.devcontainer(std::string(R"({"image": ")") + kPythonImage + R"("})");
  RunOptions path;
  path.env["PATH"] = "/nonexistent";
  path.env["XDG_STATE_HOME"] = (ws.path().parent_path() / "state").string();  // nothing in the user's
  auto up = dlc({"up", ws.str(), "--slurm"}, path);
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("needs Slurm's sbatch, and it is not on PATH"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("login node"), std::string::npos) << up.err;
}

TEST(SlurmClient, SlurmSettingsWithoutSlurmAreRefusedNotIgnored) {
  Workspace ws;
  auto up = dlc({"up", ws.str(), "--partition", "gpu"});
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("without --slurm"), std::string::npos) << up.err;
}

}  // namespace
}  // namespace dlc::testing
