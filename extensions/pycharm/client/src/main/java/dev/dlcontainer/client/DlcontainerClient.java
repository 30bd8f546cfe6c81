package dev.dlcontainer.client;

import dev.dlcontainer.client.protocol.IdeInterpreterParams;
import dev.dlcontainer.client.protocol.IdeInterpreterResult;
import dev.dlcontainer.client.protocol.IdeSshConfigParams;
import dev.dlcontainer.client.protocol.IdeSshConfigResult;
import dev.dlcontainer.client.protocol.InitializeParams;
import dev.dlcontainer.client.protocol.InitializeResult;
import dev.dlcontainer.client.protocol.Methods;
import dev.dlcontainer.client.protocol.NotificationType;
import dev.dlcontainer.client.protocol.PortEntry;
import dev.dlcontainer.client.protocol.PortsListParams;
import dev.dlcontainer.client.protocol.ProgressParams;
import dev.dlcontainer.client.protocol.RequestType;
import dev.dlcontainer.client.protocol.ServiceInfo;
import dev.dlcontainer.client.protocol.ServicesJupyterParams;
import dev.dlcontainer.client.protocol.ServicesTensorboardParams;
import dev.dlcontainer.client.protocol.WorkspaceDidChangeStatusParams;
import dev.dlcontainer.client.protocol.WorkspaceDownParams;
import dev.dlcontainer.client.protocol.WorkspaceDownResult;
import dev.dlcontainer.client.protocol.WorkspaceExecParams;
import dev.dlcontainer.client.protocol.WorkspaceExecResult;
import dev.dlcontainer.client.protocol.WorkspaceListParams;
import dev.dlcontainer.client.protocol.WorkspaceStatus;
import dev.dlcontainer.client.protocol.WorkspaceStatusParams;
import dev.dlcontainer.client.protocol.WorkspaceUpParams;
import dev.dlcontainer.client.protocol.WorkspaceUpResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code dlcontainer serve --stdio} as an IDE uses it: started as a child process, initialized, then
 * typed methods (the types are generated from schemas/protocol/ into {@code
 * dev.dlcontainer.client.protocol}). Everything here is plain Java: the IntelliJ glue in ../plugin
 * only calls it.
 */
public final class DlcontainerClient implements AutoCloseable {
  private final JsonRpcConnection rpc;
  private final Process process;  // null when the streams were given
  private InitializeResult initialized;

  private DlcontainerClient(JsonRpcConnection rpc, Process process) {
    this.rpc = rpc;
    this.process = process;
  }

  /**
   * Starts {@code binary serve --stdio}. Its stderr (log lines) goes to {@code log}, line by line, on a
   * thread of its own; so does what a notification listener throws.
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
    JsonRpcConnection.ListenerErrors errors = (method, e) -> log.accept("a listener for " + method + " failed: " + e);
    return new DlcontainerClient(new JsonRpcConnection(p.getInputStream(), p.getOutputStream(), errors), p);
  }

  /** Over streams that are already connected to a server (a socket, a test's pipes). */
  public static DlcontainerClient over(InputStream in, OutputStream out) {
    return new DlcontainerClient(new JsonRpcConnection(in, out), null);
  }

  /** The handshake; must come first. */
  public InitializeResult initialize(String clientName, String clientVersion) throws RpcException, IOException {
    InitializeParams params = InitializeParams.of()
        .withProcessId(ProcessHandle.current().pid())
        .withClientInfo(InitializeParams.ClientInfo.of(clientName).withVersion(clientVersion))
        .withCapabilities(JsonRpcConnection.MAPPER.createObjectNode());
    initialized = await(call(Methods.INITIALIZE, params));
    rpc.notify(Methods.INITIALIZED.method(), JsonRpcConnection.MAPPER.createObjectNode());
    return initialized;
  }

  /** Whether the server answers this method (newer servers answer more). */
  public boolean offers(RequestType<?, ?> method) {
    return initialized != null && initialized.capabilities().methods().contains(method.method());
  }

  public CompletableFuture<WorkspaceUpResult> up(String workspace, boolean rebuild) {
    return call(Methods.WORKSPACE_UP, WorkspaceUpParams.of(workspace).withRebuild(rebuild));
  }

  public CompletableFuture<WorkspaceDownResult> down(String workspace, boolean remove) {
    return call(Methods.WORKSPACE_DOWN, WorkspaceDownParams.of(workspace).withRemove(remove));
  }

  public CompletableFuture<WorkspaceStatus> status(String workspace) {
    return call(Methods.WORKSPACE_STATUS, WorkspaceStatusParams.of(workspace));
  }

  public CompletableFuture<List<WorkspaceStatus>> list() {
    return call(Methods.WORKSPACE_LIST, WorkspaceListParams.of());
  }

  public CompletableFuture<WorkspaceExecResult> exec(String workspace, List<String> command) {
    return call(Methods.WORKSPACE_EXEC, WorkspaceExecParams.of(workspace, command));
  }

  /** Brings the workspace up for the interpreter and writes its python wrapper. */
  public CompletableFuture<IdeInterpreterResult> interpreter(String workspace, List<String> helpers) {
    return call(Methods.IDE_INTERPRETER, IdeInterpreterParams.of(workspace).withHelpers(helpers));
  }

  public CompletableFuture<IdeSshConfigResult> sshConfig(String workspace) {
    return call(Methods.IDE_SSH_CONFIG, IdeSshConfigParams.of(workspace));
  }

  public CompletableFuture<ServiceInfo> jupyter(String workspace, boolean lab) {
    return call(Methods.SERVICES_JUPYTER, ServicesJupyterParams.of(workspace).withLab(lab));
  }

  public CompletableFuture<ServiceInfo> tensorboard(String workspace) {
    return call(Methods.SERVICES_TENSORBOARD, ServicesTensorboardParams.of(workspace));
  }

  public CompletableFuture<List<PortEntry>> ports(String workspace) {
    return call(Methods.PORTS_LIST, PortsListParams.of(workspace));
  }

  /**
   * Every notification of one type, converted to its params type, until the subscription is closed. A
   * notification whose params do not convert is reported as the listener's failure.
   */
  public <P> Subscription on(NotificationType<P> type, Consumer<P> listener) {
    return rpc.onNotification((method, params) -> {
      if (method.equals(type.method())) listener.accept(JsonRpcConnection.MAPPER.convertValue(params, type.params()));
    });
  }

  /** Engine events for workspace containers (a container died, was removed, ...). */
  public Subscription onStatusChange(Consumer<WorkspaceDidChangeStatusParams> listener) {
    return on(Methods.WORKSPACE_DID_CHANGE_STATUS, listener);
  }

  /** The server's log lines (window/logMessage) and progress reports ($/progress), as text. */
  public Subscription onLog(Consumer<String> listener) {
    Subscription logs = on(Methods.WINDOW_LOG_MESSAGE, m -> listener.accept(m.message()));
    Subscription progress = on(Methods.PROGRESS, p -> {
      String text = progressText(p.value());
      if (!text.isEmpty()) listener.accept(text);
    });
    return () -> {
      logs.close();
      progress.close();
    };
  }

  static String progressText(ProgressParams.Value value) {
    if (value instanceof ProgressParams.Value.Begin b) return (b.title() + " " + (b.message() == null ? "" : b.message())).trim();
    if (value instanceof ProgressParams.Value.Report r) return r.message() == null ? "" : r.message();
    if (value instanceof ProgressParams.Value.End e) return e.message() == null ? "" : e.message();
    return "";  // a kind of progress this client does not know (FAIL_ON_INVALID_SUBTYPE is off)
  }

  /** A request of the protocol, typed. Cancelling the future cancels the request on the server. */
  public <P, R> CompletableFuture<R> call(RequestType<P, R> type, P params) {
    return linked(rpc.request(type.method(), params), node -> {
      try {
        return JsonRpcConnection.MAPPER.convertValue(node, type.result());
      } catch (IllegalArgumentException e) {
        throw new CompletionException(new IOException(type.method() + " answered with an unexpected shape: " + e.getMessage(), e));
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
    await(call(Methods.SHUTDOWN, null));
    rpc.notify(Methods.EXIT.method(), null);
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
