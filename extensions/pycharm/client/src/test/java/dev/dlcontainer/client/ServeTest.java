package dev.dlcontainer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dlcontainer.client.protocol.IdeInterpreterResult;
import dev.dlcontainer.client.protocol.InitializeResult;
import dev.dlcontainer.client.protocol.Methods;
import dev.dlcontainer.client.protocol.RequestType;
import dev.dlcontainer.client.protocol.WorkspaceDidChangeStatusParams;
import dev.dlcontainer.client.protocol.WorkspaceExecResult;
import dev.dlcontainer.client.protocol.WorkspaceStatus;
import dev.dlcontainer.client.protocol.WorkspaceUpResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a real {@code dlcontainer serve --stdio} and the real Docker engine, the way the
 * plugin uses it. The binary comes from -Ddlc.binary (the ctest entry passes the build's).
 */
class ServeTest {
  static final String PYTHON_IMAGE = "dlc-test/python:latest";

  private Path binary;
  private Path root;
  private Path workspace;
  private DlcontainerClient client;

  static boolean inCi() {
    return "true".equals(System.getenv("CI"));
  }

  /** A missing prerequisite fails under CI=true and skips elsewhere, as the C++ suite does. */
  static void require(boolean ok, String why) {
    if (ok) return;
    if (inCi()) fail("CI=true and " + why);
    Assumptions.assumeTrue(false, why);
  }

  @BeforeEach
  void start() throws Exception {
    String b = System.getProperty("dlc.binary", System.getenv().getOrDefault("DLC_BINARY", ""));
    require(!b.isEmpty() && Files.isExecutable(Path.of(b)), "no dlcontainer binary (-Ddlc.binary)");
    binary = Path.of(b);
    root = Files.createTempDirectory("dlc-java-");
    workspace = root.resolve("paper");
    Files.createDirectories(workspace.resolve(".devcontainer"));
    Files.writeString(workspace.resolve(".devcontainer/devcontainer.json"), "{\"image\": \"" + PYTHON_IMAGE + "\"}");
    client = DlcontainerClient.launch(binary, line -> System.err.println("[serve] " + line));
    InitializeResult init = client.initialize("dlcontainer-pycharm-tests", "0");
    assertEquals("dlcontainer", init.serverInfo().name());
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) client.close();
    if (binary != null && workspace != null) {
      // Whatever a test left: its container goes (the CLI is the simplest independent way).
      Process p = new ProcessBuilder(binary.toString(), "down", "--remove", workspace.toString()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(60, TimeUnit.SECONDS);
    }
    if (root != null) {
      try (Stream<Path> walk = Files.walk(root)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void requireEngine() throws IOException {
    try {
      DlcontainerClient.await(client.list());
    } catch (RpcException e) {
      require(!e.errorName().startsWith("engine"), "no Docker engine: " + e.getMessage());
      throw new IOException(e);
    }
  }

  /** Polls `condition` every 250 ms until it holds or `seconds` pass; whether it held. */
  static boolean waitFor(BooleanSupplier condition, int seconds) throws InterruptedException {
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds); System.nanoTime() < end; Thread.sleep(250)) {
      if (condition.getAsBoolean()) return true;
    }
    return condition.getAsBoolean();
  }

  static final RequestType<Object, JsonNode> NO_SUCH_METHOD = new RequestType<>("no/such/method", new TypeReference<JsonNode>() {});

  @Test
  void initializeListsTheWorkspaceMethods() {
    for (RequestType<?, ?> m : List.of(Methods.WORKSPACE_UP, Methods.WORKSPACE_STATUS, Methods.WORKSPACE_EXEC, Methods.WORKSPACE_DOWN,
        Methods.IDE_INTERPRETER, Methods.IDE_SSH_CONFIG)) {
      assertTrue(client.offers(m), m.method() + " in " + client.methods());
    }
    assertFalse(client.offers(NO_SUCH_METHOD));
  }

  @Test
  void errorsCarryTheStandardCodeOrOursWithAHint() throws Exception {
    RpcException relative = assertThrows(RpcException.class, () -> DlcontainerClient.await(client.status("paper")));
    assertEquals(RpcException.INVALID_PARAMS, relative.code());
    assertFalse(relative.hint().isEmpty());

    requireEngine();
    RpcException none = assertThrows(RpcException.class,
        () -> DlcontainerClient.await(client.exec(workspace.toString(), List.of("true"))));
    assertEquals("containerNotFound", none.errorName());
    assertTrue(none.code() >= 1000 && none.code() < 1100, "code " + none.code());
    assertTrue(none.userText().contains("dlcontainer up"), none.userText());

    RpcException unknown = assertThrows(RpcException.class,
        () -> DlcontainerClient.await(client.call(NO_SUCH_METHOD, null)));
    assertEquals(RpcException.METHOD_NOT_FOUND, unknown.code());
  }

  @Test
  void upExecStatusAndAStatusChangeArriveAsThePluginSeesThem() throws Exception {
    requireEngine();
    BlockingQueue<WorkspaceDidChangeStatusParams> changes = new LinkedBlockingQueue<>();
    client.onStatusChange(changes::add);
    String ws = workspace.toString();
    assertEquals("none", DlcontainerClient.await(client.status(ws)).state());

    WorkspaceUpResult up = DlcontainerClient.await(client.up(ws, false));
    assertEquals("success", up.outcome());
    assertEquals("created", up.action());
    WorkspaceStatus s = DlcontainerClient.await(client.status(ws));
    assertTrue(IdeSettings.running(s));
    assertEquals(up.containerId(), s.containerId());
    assertTrue(IdeSettings.statusLine(s).startsWith("running · " + up.containerName()));

    WorkspaceExecResult r = DlcontainerClient.await(client.exec(ws, List.of("python3", "-c", "import sys; print(6*7); sys.exit(3)")));
    assertEquals(3, r.exitCode());
    assertEquals("42\n", r.stdout());

    // The engine's "start" of this container reaches the client without a poll.
    WorkspaceDidChangeStatusParams change = null;
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); System.nanoTime() < end;) {
      WorkspaceDidChangeStatusParams c = changes.poll(1, TimeUnit.SECONDS);
      if (c != null && ws.equals(c.workspace()) && "start".equals(c.event())) {
        change = c;
        break;
      }
    }
    assertTrue(change != null, "no workspace/didChangeStatus for the start");
    assertEquals(up.containerId(), change.containerId());
  }

  /** The command lines of the container's processes, read from /proc through workspace/exec. */
  private String processes(String ws) {
    try {
      return DlcontainerClient.await(client.exec(ws, List.of("sh", "-c",
          "for d in /proc/[0-9]*; do tr '\\0' ' ' < $d/cmdline; echo; done 2>/dev/null"))).stdout();
    } catch (RpcException | IOException e) {
      throw new AssertionError("listing the container's processes failed", e);
    }
  }

  @Test
  void cancellingAnExecStopsItInTheContainer() throws Exception {
    requireEngine();
    String ws = workspace.toString();
    DlcontainerClient.await(client.up(ws, false));
    CompletableFuture<WorkspaceExecResult> slow = client.exec(ws, List.of("sleep", "313"));
    // Cancel only once the command runs: a cancel that races its start would prove nothing.
    assertTrue(waitFor(() -> processes(ws).contains("sleep 313"), 30), "the command never started in the container");
    assertFalse(slow.isDone(), "the exec answered before it was cancelled");
    slow.cancel(true);
    assertTrue(slow.isCancelled());
    // The server stops the process: bounded wait until no `sleep 313` remains.
    assertTrue(waitFor(() -> !processes(ws).contains("sleep 313"), 10), "the cancelled command still runs in the container");
  }

  @Test
  void interpreterIsRegisteredFromTheServersAnswer() throws Exception {
    requireEngine();
    String ws = workspace.toString();
    IdeInterpreterResult r = DlcontainerClient.await(client.interpreter(ws, List.of()));
    WorkspaceStatus s = DlcontainerClient.await(client.status(ws));
    IdeSettings.Interpreter interp = IdeSettings.interpreter(r, s.containerName());
    assertEquals(workspace.resolve(".dlcontainer/bin/python").toString(), interp.homePath());
    assertTrue(interp.pathMappings().isEmpty(), "mirrored by default: " + interp.pathMappings());
    assertTrue(interp.name().startsWith("dlcontainer: Python 3."), interp.name());
    // The container's libraries, copied for PyCharm's indexer: host folders that exist.
    assertTrue(!interp.libraryPaths().isEmpty(), "library paths from result.libs");
    for (String p : interp.libraryPaths()) assertTrue(Files.isDirectory(Path.of(p)), p);

    // What PyCharm then does with it: run it as a local interpreter.
    Path script = workspace.resolve("hello.py");
    Files.writeString(script, "import os\nprint(os.getcwd(), input().upper())\n");
    Process p = new ProcessBuilder(interp.homePath(), script.toString()).directory(workspace.toFile()).start();
    p.getOutputStream().write("from pycharm\n".getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(ws + " FROM PYCHARM\n", out);
  }

  @Test
  void interpreterRefusesARelativeFolderAndSshSaysHowToTurnItOn() throws Exception {
    RpcException relative = assertThrows(RpcException.class,
        () -> DlcontainerClient.await(client.interpreter("paper", List.of())));
    assertEquals(RpcException.INVALID_PARAMS, relative.code());
    assertFalse(Files.exists(workspace.resolve(".dlcontainer")));

    requireEngine();
    RpcException off = assertThrows(RpcException.class, () -> DlcontainerClient.await(client.sshConfig(workspace.toString())));
    assertEquals("configInvalid", off.errorName());
    assertTrue(off.userText().contains("\"ssh\": true"), off.userText());
    assertEquals("none", DlcontainerClient.await(client.status(workspace.toString())).state());
  }

  @Test
  void shutdownThenExitEndsTheServerCleanly() throws Exception {
    assertEquals(0, client.shutdown(30));
    client = null;
  }
}
