// `dlcontainer serve` through the real binary against the real engine: malformed input, concurrency,
// the socket's safety, clients that are slow or go away, and engine events.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "core/workspace.h"
#include "integration/rpc_client.h"
#include "rpc/schema.h"
#include "integration/support.h"

namespace dlc::testing {
namespace {

constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInvalidParams = -32602,
              kServerNotInitialized = -32002, kRequestCancelled = -32800;

std::string image_config(const std::string& extra = "") {
  return std::string(R"({"image": ")") + kPythonImage + "\"" + (extra.empty() ? "" : ", " + extra) + "}";
}

json status_params(const Workspace& ws) { return {{"workspace", ws.str()}}; }

// A fresh socket path in a fresh folder (removed by the Workspace).
std::string socket_in(const Workspace& ws) { return (ws.path().parent_path() / "s.sock").string(); }

TEST(RpcServer, EachClassOfMalformedInputIsAnsweredAndTheServerKeepsServing) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto client = RpcClient::stdio();
  // Proof that the server still serves: a well-formed request answered right after.
  auto still_serving = [&](const std::string& after) {
    auto r = client->call("workspace/status", status_params(ws), std::chrono::seconds(30));
    EXPECT_EQ(r["result"]["state"], "none") << "after " << after << ": " << r;
  };
  auto expect_error = [&](int code, const std::string& what) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto m = client->next(std::chrono::milliseconds(200));
      if (m && m->contains("error")) {
        EXPECT_EQ((*m)["error"]["code"], code) << what << ": " << *m;
        EXPECT_TRUE((*m)["error"]["message"].is_string());
        return;
      }
    }
    ADD_FAILURE() << "no error answer to " << what;
  };

  // Before initialize: refused, and the connection stays usable.
  auto early = client->call("workspace/status", status_params(ws));
  EXPECT_EQ(early["error"]["code"], kServerNotInitialized);
  client->initialize();
  still_serving("initialize");

  client->send_raw("Content-Lenght: 2\r\n\r\n{}");
  expect_error(kParseError, "a misspelled header");
  still_serving("a bad header");

  client->send_raw("Content-Length: twelve\r\n\r\n");
  expect_error(kParseError, "a length that is not a number");
  still_serving("a bad length");

  std::string huge(17u << 20, ' ');
  client->send_raw("Content-Length: " + std::to_string(huge.size()) + "\r\n\r\n");
  client->send_raw(huge);
  expect_error(kParseError, "a body over the limit");
  still_serving("an oversized body");

  // A length of 2^40 that is a lie: refused, and the next message is read (issue 20).
  client->send_raw("Content-Length: 1099511627776\r\n\r\n{}");
  expect_error(kParseError, "a length of a tebibyte");
  still_serving("a lying length");

  // Nesting deep enough to overflow a recursive copy: refused with its id (issue 20).
  auto deep = client->send_request("workspace/status", {{"workspace", ws.str()}});
  client->send_raw(rpc::frame(R"({"jsonrpc": "2.0", "id": "deep", "method": "workspace/status", "params": )" +
                              std::string(100'000, '[') + std::string(100'000, ']') + "}"));
  EXPECT_EQ(client->wait_response("deep")["error"]["code"], kInvalidRequest);
  EXPECT_TRUE(client->wait_response(deep).contains("result"));
  still_serving("a deep frame");

  client->send_raw(rpc::frame("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": "));
  expect_error(kParseError, "a body that is not JSON");
  still_serving("non-JSON");

  client->send_raw(rpc::frame("[{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"workspace/list\"}]"));
  expect_error(kInvalidRequest, "a batch");
  client->send_raw(rpc::frame("{\"jsonrpc\": \"2.0\", \"params\": {}}"));
  expect_error(kInvalidRequest, "an object that is not a request");
  still_serving("JSON that is not a request");

  auto unknown = client->call("workspace/teleport", json::object());
  EXPECT_EQ(unknown["error"]["code"], kMethodNotFound);
  still_serving("an unknown method");

  auto bad = client->call("workspace/exec", {{"workspace", ws.str()}, {"command", "not an array"}});
  EXPECT_EQ(bad["error"]["code"], kInvalidParams);
  auto relative = client->call("workspace/up", {{"workspace", "relative/folder"}});
  EXPECT_EQ(relative["error"]["code"], kInvalidParams);
  // A NUL byte would have cut the path to its prefix folder (issue 20): refused before anything acts.
  auto nul = client->call("workspace/up", {{"workspace", ws.str() + std::string("\0/x", 3)}});
  EXPECT_EQ(nul["error"]["code"], kInvalidParams);
  auto unknown_field = client->call("workspace/up", {{"workspace", ws.str()}, {"rebuld", true}});
  EXPECT_EQ(unknown_field["error"]["code"], kInvalidParams);
  EXPECT_TRUE(ws.containers(engine).empty()) << "bad params changed nothing";
  still_serving("bad params");

  auto shutdown = client->call("shutdown");
  EXPECT_TRUE(shutdown["result"].is_null());
  client->notify("exit");
  EXPECT_EQ(client->wait_exit(std::chrono::seconds(20)), 0);
}

TEST(RpcServer, TheEndOfInputWithoutShutdownEndsTheServerWithStatusOne) {
  auto client = RpcClient::stdio();
  client->initialize();
  client->close_input();
  EXPECT_EQ(client->wait_exit(std::chrono::seconds(20)), 1);
}

TEST(RpcServer, TheSocketIsTheOwnersOnlyAndRefusesAnotherUser) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  std::string path = socket_in(ws);
  auto server = ServerProcess::socket(path);
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());

  // A second server on the same path is refused, and the first keeps its socket.
  auto second = dlc({"serve", "--socket", path});
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.err.find("already listens"), std::string::npos) << second.err;

  // Even if the mode were loosened, a client of another uid gets no answer: SO_PEERCRED is checked.
  if (::geteuid() == 0) {
    ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
    ASSERT_EQ(::chmod(ws.path().parent_path().c_str(), 0755), 0);
    pid_t child = ::fork();
    if (child == 0) {
      if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
      std::unique_ptr<RpcClient> c;
      try {
        c = RpcClient::connect(path);
      } catch (...) {
        ::_exit(4);  // the mode change did not take: nothing was tested
      }
      try {
        c->send_request("initialize", json::object());
      } catch (...) {
        ::_exit(0);  // closed before our request could even be written
      }
      // Closed without an answer: 0; answered: 1.
      auto m = c->next(std::chrono::seconds(5));
      ::_exit(m ? 1 : (c->wait_closed(std::chrono::seconds(5)) ? 0 : 2));
    }
    int st2 = 0;
    ::waitpid(child, &st2, 0);
    EXPECT_TRUE(WIFEXITED(st2));
    EXPECT_EQ(WEXITSTATUS(st2), 0) << "1: answered another uid; 2: left it hanging; 3/4: test setup";
  }
  // The owner is served.
  auto mine = RpcClient::connect(path);
  mine->initialize();
  EXPECT_EQ(server->stop(SIGTERM), 0);
  EXPECT_NE(::lstat(path.c_str(), &st), 0) << "the socket is removed on exit";
}

TEST(RpcServer, TwoClientsPressingUpTogetherGetOneContainer) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config(R"("postCreateCommand": "sleep 1")"));
  std::string path = socket_in(ws);
  auto server = ServerProcess::socket(path);
  auto a = RpcClient::connect(path);
  auto b = RpcClient::connect(path);
  a->initialize();
  b->initialize();
  auto id_a = a->send_request("workspace/up", status_params(ws));
  auto id_b = b->send_request("workspace/up", status_params(ws));
  auto ra = a->wait_response(id_a);
  auto rb = b->wait_response(id_b);
  ASSERT_TRUE(ra.contains("result")) << ra;
  ASSERT_TRUE(rb.contains("result")) << rb;
  EXPECT_EQ(ra["result"]["containerId"], rb["result"]["containerId"]);
  std::multiset<std::string> actions{ra["result"]["action"], rb["result"]["action"]};
  EXPECT_EQ(actions, (std::multiset<std::string>{"created", "running"}));
  EXPECT_EQ(ws.containers(engine).size(), 1u);
  EXPECT_EQ(server->stop(SIGTERM), 0);
}

TEST(RpcServer, WorkOnOneWorkspaceDoesNotWaitForAnother) {
  DLC_REQUIRE_ENGINE();
  Workspace slow("slow"), quick("quick");
  // The slow one's postCreateCommand ends only once the test has seen the quick one answered (or after
  // 60 s, failing): had the quick one waited for the slow one, neither would finish.
  slow.devcontainer(image_config(R"("postCreateCommand": "for i in $(seq 600); do [ -e .go ] && exit 0; sleep 0.1; done; exit 1")"));
  quick.devcontainer(image_config());
  auto client = RpcClient::stdio();
  client->initialize();
  auto slow_id = client->send_request("workspace/up", {{"workspace", slow.str()}, {"workDoneToken", "slow"}});
  // Wait until the slow one is inside its postCreateCommand, holding its workspace's lock.
  client->wait_notification([](const json& n) {
    return n["method"] == "$/progress" && n["params"]["value"].value("message", "") == "Running postCreateCommand";
  });
  auto quick_up = client->call("workspace/up", status_params(quick));
  ASSERT_TRUE(quick_up.contains("result")) << quick_up;
  auto slow_status = client->call("workspace/status", {{"workspace", slow.str()}});
  EXPECT_EQ(slow_status["result"]["state"], "running");
  slow.write(".go", "");
  auto slow_up = client->wait_response(slow_id);
  EXPECT_EQ(slow_up["result"]["commandsRun"], json({"postCreateCommand"}));
}

TEST(RpcServer, AClientThatDoesNotReadStallsNoOtherClient) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  std::string path = socket_in(ws);
  auto server = ServerProcess::socket(path);
  auto greedy = RpcClient::connect(path);
  auto polite = RpcClient::connect(path);
  greedy->initialize();
  polite->initialize();
  ASSERT_TRUE(polite->call("workspace/up", status_params(ws)).contains("result"));

  // 640 MiB of output streamed to a client that never reads it.
  greedy->send_request("workspace/exec", {{"workspace", ws.str()},
                                          {"command", {"python3", "-c", "import sys  # flood\nfor _ in range(10000): sys.stdout.write('x' * 65536)"}},
                                          {"outputToken", "flood"}});
  // Until the flood has filled the greedy client's socket: from then on the server holds it up
  // (a streaming handler waits while 8 MiB are queued to its client).
  ASSERT_TRUE(greedy->wait_unread(64u << 10, std::chrono::seconds(60))) << "the flood never reached its client";
  auto flooding = [&] {
    return polite->call("workspace/exec", {{"workspace", ws.str()}, {"command", {"pgrep", "-f", "flood"}}})["result"]["exitCode"] == 0;
  };
  ASSERT_TRUE(flooding());
  // The polite client is answered while the flood waits on the greedy one (a server that waited for
  // the greedy client would answer nothing until the flood ended).
  for (int i = 0; i < 20; ++i) {
    auto r = polite->call("workspace/status", status_params(ws), std::chrono::seconds(30));
    ASSERT_EQ(r["result"]["state"], "running") << r;
  }
  EXPECT_TRUE(flooding()) << "the flood ended before the polite client's calls: they proved nothing";
  // The greedy client goes away: its exec is cancelled and the server carries on.
  greedy.reset();
  auto pgrep = [&] { return polite->call("workspace/exec", {{"workspace", ws.str()}, {"command", {"pgrep", "-f", "flood"}}}); };
  int running = 0;
  for (int i = 0; i < 100 && (running = pgrep()["result"]["exitCode"].get<int>()) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(running, 1) << "the flood's command still runs after its client left";
  EXPECT_EQ(server->stop(SIGTERM), 0);
}

TEST(RpcServer, AClientLeavingMidUpLeavesAWorkspaceThatUpRecovers) {
  DLC_REQUIRE_ENGINE();
  Workspace ws("halfway");
  // The first run of postCreateCommand hangs (and leaves a mark); the second one finishes.
  ws.devcontainer(image_config(
      R"("postCreateCommand": "if [ -e .second ]; then echo done; else touch .second; sleep 300; fi")"));
  {
    auto client = RpcClient::stdio();
    client->initialize();
    client->send_request("workspace/up", {{"workspace", ws.str()}, {"workDoneToken", 1}});
    // Until the command is surely running: it has left its mark.
    for (int i = 0; i < 300 && !std::filesystem::exists(ws.path() / ".second"); ++i) {
      client->next(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(std::filesystem::exists(ws.path() / ".second"));
    client->close_input();  // the editor crashed
    EXPECT_EQ(client->wait_exit(std::chrono::seconds(30)), 1);
  }
  auto containers = ws.containers(engine);
  ASSERT_EQ(containers.size(), 1u);
  auto again = dlc({"up", ws.str(), "--json"});
  ASSERT_EQ(again.status, 0) << again.err;
  auto r = json::parse(again.out);
  EXPECT_EQ(r["containerId"], containers[0].id);
  EXPECT_EQ(r["commandsRun"], json({"postCreateCommand"}));
  EXPECT_EQ(ws.containers(engine).size(), 1u);
}

// A stdio server's client, initialized, and ws (of the test image) brought up through it: id is the
// container's, "" when up failed.
struct BroughtUp {
  std::unique_ptr<RpcClient> client;
  std::string id;
};
BroughtUp brought_up(Workspace& ws) {
  BroughtUp b{RpcClient::stdio(), ""};
  b.client->initialize();
  ws.devcontainer(image_config());
  auto up = b.client->call("workspace/up", status_params(ws));
  if (!up.contains("result")) ADD_FAILURE() << up;
  if (up.contains("result")) b.id = up["result"].value("containerId", "");
  return b;
}

// Waits for workspace/didChangeStatus of ws with this event (the engine may be shared: another
// workspace's events are not ws's), and returns it.
json wait_told(RpcClient& client, const Workspace& ws, const std::string& action) {
  return client.wait_notification([&](const json& n) {
    return n["method"] == "workspace/didChangeStatus" && n["params"]["event"] == action && n["params"]["workspace"] == ws.str();
  });
}

TEST(RpcServer, StatusFollowsAChangeMadeBehindItsBack) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  auto [client, id] = brought_up(ws);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(client->call("workspace/status", status_params(ws))["result"]["state"], "running");
  EXPECT_EQ(client->call("workspace/status", status_params(ws))["result"]["state"], "running");

  engine.stop_container(id, 1);  // not through dlcontainer: only the engine's events can tell
  auto note = wait_told(*client, ws, "die");
  EXPECT_EQ(note["params"]["workspace"], ws.str());
  EXPECT_EQ(note["params"]["containerId"], id);
  EXPECT_EQ(note["params"]["status"]["state"], "exited");
  EXPECT_EQ(client->call("workspace/status", status_params(ws))["result"]["state"], "exited");

  engine.remove_container(id, true);
  wait_told(*client, ws, "destroy");
  EXPECT_EQ(client->call("workspace/status", status_params(ws))["result"]["state"], "none");

  // And when devcontainer.json changes, status says the new container is out of date.
  auto again = client->call("workspace/up", status_params(ws));
  EXPECT_EQ(client->call("workspace/status", status_params(ws))["result"]["outOfDate"], false);
  ws.devcontainer(image_config(R"("remoteEnv": {"X": "1"})"));
  EXPECT_EQ(client->call("workspace/status", status_params(ws))["result"]["outOfDate"], true);
}

// What workspace/status answers from the event-fed cache (its text rendered once per change) is what a
// fresh lookup gives, and valid as the protocol says, before and after a change behind its back.
TEST(RpcServer, StatusFromTheCacheIsWhatAFreshLookupGives) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  auto [client, id] = brought_up(ws);
  ASSERT_FALSE(id.empty());
  auto told = [&](const std::string& action) { wait_told(*client, ws, action); };
  told("start");  // events are followed: what status reads now is kept
  // Settled, as a real repository's is: its hash is kept, and its status answered without a worker
  // until a file it was read from changes (a file changed in the last second is hashed each time).
  struct timespec minute_ago[2] = {{::time(nullptr) - 60, 0}, {::time(nullptr) - 60, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (ws.path() / ".devcontainer/devcontainer.json").c_str(), minute_ago, 0), 0);
  core::Workspaces fresh(engine);  // follows no events: it asks the engine every time
  auto same = [&](const std::string& state, bool out_of_date) {
    json cached;
    for (int i = 0; i < 2; ++i) cached = client->call("workspace/status", status_params(ws))["result"];  // the 2nd from the cache
    EXPECT_EQ(cached, json(fresh.status(core::StatusParams{.workspace = ws.str()})));
    EXPECT_EQ(cached["state"], state);
    EXPECT_EQ(cached["outOfDate"], out_of_date);
    EXPECT_EQ(rpc::protocol_schemas().check("workspace.status.json#/$defs/result", cached, "result"), std::nullopt);
  };
  same("running", false);
  ws.devcontainer(image_config(R"("remoteEnv": {"X": "1"})"));  // a file, not the engine: the other rendering
  same("running", true);
  engine.stop_container(id, 1);
  told("die");
  same("exited", true);
  engine.remove_container(id, true);
  told("destroy");
  same("none", false);
}

// The list as the server answers it: the ids of the containers listed for ws.
std::vector<std::string> listed_for(RpcClient& client, const Workspace& ws) {
  auto r = client.call("workspace/list", json::object());
  std::vector<std::string> ids;
  for (const auto& s : r.at("result")) {
    if (s["workspace"] == ws.str()) ids.push_back(s.value("containerId", ""));
  }
  return ids;
}

TEST(RpcServer, ListFollowsContainersMadeAndRemovedBehindItsBack) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  auto client = RpcClient::stdio();
  client->initialize();
  EXPECT_TRUE(listed_for(*client, ws).empty());
  EXPECT_TRUE(listed_for(*client, ws).empty());  // answered again (from the cache once events are live)

  // A container another tool made for the folder, through the engine alone.
  engine::ContainerSpec spec;
  spec.image = kBaseImage;
  spec.cmd = std::vector<std::string>{"sleep", "infinity"};
  spec.labels = {{"devcontainer.local_folder", ws.str()}};
  std::string id = engine.create_container(spec);
  auto told = [&](const std::string& action) { wait_told(*client, ws, action); };
  told("create");
  EXPECT_EQ(listed_for(*client, ws), std::vector<std::string>{id});

  engine.start_container(id);
  told("start");
  auto r = client->call("workspace/list", json::object());
  auto it = std::find_if(r["result"].begin(), r["result"].end(), [&](const json& s) { return s["containerId"] == id; });
  ASSERT_NE(it, r["result"].end()) << r;
  EXPECT_EQ((*it)["state"], "running");

  engine.remove_container(id, true);
  told("destroy");
  EXPECT_TRUE(listed_for(*client, ws).empty());
}

TEST(RpcServer, ExecAnswersCancelledAndStopsTheCommand) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  ws.devcontainer(image_config());
  auto client = RpcClient::stdio();
  client->initialize();
  ASSERT_TRUE(client->call("workspace/up", status_params(ws)).contains("result"));
  auto id = client->send_request("workspace/exec", {{"workspace", ws.str()}, {"command", {"sleep", "297"}}});
  auto pgrep = [&] {
    return client->call("workspace/exec", {{"workspace", ws.str()}, {"command", {"pgrep", "-f", "sleep 297"}}})["result"]["exitCode"];
  };
  for (int i = 0; i < 50 && pgrep() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(pgrep(), 0);
  client->notify("$/cancelRequest", {{"id", id}});
  auto r = client->wait_response(id, std::chrono::seconds(20));
  EXPECT_EQ(r["error"]["code"], kRequestCancelled) << r;
  EXPECT_EQ(pgrep(), 1);
}

TEST(RpcServer, CancellingUpStopsTheImageBuild) {
  DLC_REQUIRE_ENGINE();
  Workspace ws;
  // A step that takes long, with a duration no other process on this host is likely to sleep for.
  ws.write(".devcontainer/Dockerfile", std::string("FROM ") + kPythonImage + "\nRUN echo " + ws.path().filename().string() +
                                           " && sleep 117\n");
  ws.devcontainer(R"({"build": {"dockerfile": "Dockerfile"}})");
  auto sleeping = [] { return run({"pgrep", "-f", "sleep 117"}).status == 0; };
  auto client = RpcClient::stdio();
  client->initialize();
  auto id = client->send_request("workspace/up", {{"workspace", ws.str()}, {"workDoneToken", "build"}});
  for (int i = 0; i < 300 && !sleeping(); ++i) client->next(std::chrono::milliseconds(100));
  ASSERT_TRUE(sleeping()) << "the build step never started";
  client->notify("$/cancelRequest", {{"id", id}});
  // Uncancelled, the build would answer a result after its 117 s step, past this wait.
  auto r = client->wait_response(id, std::chrono::seconds(60));
  EXPECT_EQ(r["error"]["code"], kRequestCancelled) << r;
  bool gone = false;
  for (int i = 0; i < 150 && !(gone = !sleeping()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(gone) << "the build's step still runs after the cancel";
  EXPECT_TRUE(ws.containers(engine).empty());
}

}  // namespace
}  // namespace dlc::testing
