package dev.dlcontainer.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A JSON-RPC 2.0 client over LSP framing: requests answered by futures, notifications delivered to
 * listeners, one reader thread. Cancelling a request's future sends {@code $/cancelRequest}.
 */
public final class JsonRpcConnection implements AutoCloseable {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final InputStream in;
  private final OutputStream out;
  private final Object writeLock = new Object();
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, JsonNode>> listeners = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private volatile Throwable closedBy;

  public JsonRpcConnection(InputStream in, OutputStream out) {
    this.in = in;
    this.out = out;
    this.reader = new Thread(this::readLoop, "dlcontainer-rpc-reader");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /** Called with (method, params) for each notification the server sends, on the reader thread. */
  public void onNotification(BiConsumer<String, JsonNode> listener) {
    listeners.add(listener);
  }

  /**
   * Sends a request. The future completes with the result, or exceptionally with an {@link
   * RpcException} (the server's error) or an {@link IOException} (the connection is gone).
   */
  public CompletableFuture<JsonNode> request(String method, Object params) {
    long id = nextId.getAndIncrement();
    CompletableFuture<JsonNode> future = new CompletableFuture<>();
    Throwable closed = closedBy;
    if (closed != null) {
      future.completeExceptionally(new IOException("the connection to dlcontainer is closed", closed));
      return future;
    }
    pending.put(id, future);
    future.whenComplete((r, e) -> {
      pending.remove(id);
      if (future.isCancelled()) {
        try {
          notify("$/cancelRequest", Map.of("id", id));
        } catch (IOException ignored) {
          // the connection is gone: nothing to cancel any more
        }
      }
    });
    ObjectNode message = MAPPER.createObjectNode();
    message.put("jsonrpc", "2.0");
    message.put("id", id);
    message.put("method", method);
    if (params != null) message.set("params", MAPPER.valueToTree(params));
    try {
      send(message);
    } catch (IOException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  /** Sends a notification. */
  public void notify(String method, Object params) throws IOException {
    ObjectNode message = MAPPER.createObjectNode();
    message.put("jsonrpc", "2.0");
    message.put("method", method);
    if (params != null) message.set("params", MAPPER.valueToTree(params));
    send(message);
  }

  private void send(JsonNode message) throws IOException {
    String text = MAPPER.writeValueAsString(message);
    synchronized (writeLock) {
      LspFraming.write(out, text);
    }
  }

  private void readLoop() {
    Throwable why = null;
    try {
      String body;
      while ((body = LspFraming.read(in)) != null) dispatch(MAPPER.readTree(body));
      why = new IOException("dlcontainer closed the connection");
    } catch (IOException | RuntimeException e) {
      why = e;
    } finally {
      closedBy = why;
      IOException gone = new IOException("the connection to dlcontainer ended", why);
      for (CompletableFuture<JsonNode> f : pending.values()) f.completeExceptionally(gone);
      pending.clear();
    }
  }

  private void dispatch(JsonNode message) throws IOException {
    JsonNode id = message.get("id");
    JsonNode method = message.get("method");
    if (method != null && method.isTextual()) {
      if (id != null && !id.isNull()) {
        // A request from the server: this client offers none, and says so.
        ObjectNode answer = MAPPER.createObjectNode();
        answer.put("jsonrpc", "2.0");
        answer.set("id", id);
        ObjectNode error = answer.putObject("error");
        error.put("code", RpcException.METHOD_NOT_FOUND);
        error.put("message", "the client does not handle " + method.asText());
        send(answer);
        return;
      }
      JsonNode params = message.has("params") ? message.get("params") : MAPPER.nullNode();
      for (BiConsumer<String, JsonNode> l : listeners) l.accept(method.asText(), params);
      return;
    }
    if (id == null || !id.canConvertToLong()) return;  // an answer to nothing we asked
    CompletableFuture<JsonNode> f = pending.remove(id.asLong());
    if (f == null) return;
    JsonNode error = message.get("error");
    if (error != null && !error.isNull()) {
      JsonNode data = error.path("data");
      f.completeExceptionally(new RpcException(error.path("code").asInt(RpcException.INTERNAL_ERROR),
          error.path("message").asText(""), data.path("hint").asText(""), data.path("code").asText("")));
    } else {
      f.complete(message.has("result") ? message.get("result") : MAPPER.nullNode());
    }
  }

  /** Whether the reader has seen the end of the stream. */
  public boolean isClosed() {
    return closedBy != null;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
