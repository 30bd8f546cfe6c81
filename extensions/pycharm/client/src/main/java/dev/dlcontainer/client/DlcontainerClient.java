package dev.dlcontainer.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dlcontainer.client.Protocol.DownResult;
import dev.dlcontainer.client.Protocol.ExecResult;
import dev.dlcontainer.client.Protocol.InitializeResult;
import dev.dlcontainer.client.Protocol.InterpreterResult;
import dev.dlcontainer.client.Protocol.LogMessage;
import dev.dlcontainer.client.Protocol.PortEntry;
import dev.dlcontainer.client.Protocol.ServiceInfo;
import dev.dlcontainer.client.Protocol.SshConfigResult;
import dev.dlcontainer.client.Protocol.StatusChange;
import dev.dlcontainer.client.Protocol.UpResult;
import dev.dlcontainer.client.Protocol.WorkspaceStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code dlcontainer serve --stdio} as an IDE uses it: started as a child process, initialized, then
 * typed methods. Everything here is plain Java: the IntelliJ glue in ../plugin only calls it.
 */
public final class DlcontainerClient implements AutoCloseable {
  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final JsonRpcConnection rpc;
  private final Process process;  // null when the streams were given
  private InitializeResult initialized;

  private DlcontainerClient(JsonRpcConnection rpc, Process process) {
    this.rpc = rpc;
    this.process = process;
  }

  /**
   * Starts {@code binary serve --stdio}. Its stderr (log lines) goes to {@code log}, line by line, on a
   * thread of its own.
   */
  public static DlcontainerClient launch(Path binary, Consumer<String> log) throws IOException {
    Process p = new ProcessBuilder(List.of(binary.toString(), "serve", "--stdio")).redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE).start();
    Thread drain = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null;) log.accept(line);
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "dlcontainer-stderr");
    drain.setDaemon(true);
    drain.start();
    return new DlcontainerClient(new JsonRpcConnection(p.getInputStream(), p.getOutputStream()), p);
  }

  /** Over streams that are already connected to a server (a socket, a test's pipes). */
  public static DlcontainerClient over(InputStream in, OutputStream out) {
    return new DlcontainerClient(new JsonRpcConnection(in, out), null);
  }

  /** The handshake; must come first. */
  public InitializeResult initialize(String clientName, String clientVersion) throws RpcException, IOException {
    Map<String, Object> params = new HashMap<>();
    params.put("processId", ProcessHandle.current().pid());
    params.put("clientInfo", Map.of("name", clientName, "version", clientVersion));
    params.put("capabilities", Map.of());
    initialized = await(call("initialize", params, InitializeResult.class));
    rpc.notify("initialized", Map.of());
    return initialized;
  }

  /** Whether the server answers this method (newer servers answer more). */
  public boolean offers(String method) {
    return initialized != null && initialized.capabilities().methods().contains(method);
  }

  public CompletableFuture<UpResult> up(String workspace, boolean rebuild) {
    return call("workspace/up", Map.of("workspace", workspace, "rebuild", rebuild), UpResult.class);
  }

  public CompletableFuture<DownResult> down(String workspace, boolean remove) {
    return call("workspace/down", Map.of("workspace", workspace, "remove", remove), DownResult.class);
  }

  public CompletableFuture<WorkspaceStatus> status(String workspace) {
    return call("workspace/status", Protocol.workspace(workspace), WorkspaceStatus.class);
  }

  public CompletableFuture<List<WorkspaceStatus>> list() {
    return linked(call("workspace/list", null, WorkspaceStatus[].class), Arrays::asList);
  }

  public CompletableFuture<ExecResult> exec(String workspace, List<String> command) {
    return call("workspace/exec", Map.of("workspace", workspace, "command", command), ExecResult.class);
  }

  /** Brings the workspace up for the interpreter and writes its python wrapper. */
  public CompletableFuture<InterpreterResult> interpreter(String workspace, List<String> helpers) {
    return call("ide/interpreter", Map.of("workspace", workspace, "helpers", helpers), InterpreterResult.class);
  }

  public CompletableFuture<SshConfigResult> sshConfig(String workspace) {
    return call("ide/sshConfig", Protocol.workspace(workspace), SshConfigResult.class);
  }

  public CompletableFuture<ServiceInfo> jupyter(String workspace, boolean lab) {
    return call("services/jupyter", Map.of("workspace", workspace, "lab", lab), ServiceInfo.class);
  }

  public CompletableFuture<ServiceInfo> tensorboard(String workspace) {
    return call("services/tensorboard", Protocol.workspace(workspace), ServiceInfo.class);
  }

  public CompletableFuture<List<PortEntry>> ports(String workspace) {
    return linked(call("ports/list", Protocol.workspace(workspace), PortEntry[].class), Arrays::asList);
  }

  /** Engine events for workspace containers (a container died, was removed, ...). */
  public void onStatusChange(Consumer<StatusChange> listener) {
    rpc.onNotification((method, params) -> {
      if (method.equals("workspace/didChangeStatus")) listener.accept(MAPPER.convertValue(params, StatusChange.class));
    });
  }

  /** The server's log lines (window/logMessage) and progress reports ($/progress), as text. */
  public void onLog(Consumer<String> listener) {
    rpc.onNotification((method, params) -> {
      if (method.equals("window/logMessage")) {
        listener.accept(MAPPER.convertValue(params, LogMessage.class).message());
      } else if (method.equals("$/progress")) {
        JsonNode v = params.path("value");
        String text = (v.path("title").asText("") + " " + v.path("message").asText("")).trim();
        if (!text.isEmpty()) listener.accept(text);
      }
    });
  }

  /** Any method, typed. Cancelling the future cancels the request on the server. */
  public <T> CompletableFuture<T> call(String method, Object params, Class<T> type) {
    return linked(rpc.request(method, params), node -> {
      try {
        return MAPPER.treeToValue(node, type);
      } catch (IOException e) {
        throw new CompletionException(new IOException(method + " answered with an unexpected shape: " + e.getMessage(), e));
      }
    });
  }

  /** thenApply, but a cancel of the result reaches the source (CompletableFuture does not pass it up). */
  static <A, B> CompletableFuture<B> linked(CompletableFuture<A> source, Function<A, B> fn) {
    CompletableFuture<B> result = source.thenApply(fn);
    result.whenComplete((v, e) -> {
      if (result.isCancelled()) source.cancel(true);
    });
    return result;
  }

  /** Waits for a future, unwrapping the server's error. */
  public static <T> T await(CompletableFuture<T> future) throws RpcException, IOException {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RpcException r) throw r;
      if (cause instanceof IOException io) throw io;
      throw new IOException(cause);
    }
  }

  /** shutdown, exit, and (for a launched server) its exit status, waited for at most `seconds`. */
  public int shutdown(long seconds) throws RpcException, IOException, InterruptedException {
    await(rpc.request("shutdown", null));
    rpc.notify("exit", null);
    rpc.close();
    if (process == null) return 0;
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("dlcontainer serve did not exit within " + seconds + " s of exit");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    try {
      rpc.close();
    } catch (IOException ignored) {
      // already closed
    }
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The methods this server answers (after initialize). */
  public List<String> methods() {
    return initialized == null ? List.of() : new ArrayList<>(initialized.capabilities().methods());
  }

  JsonRpcConnection connection() {
    return rpc;
  }
}
