package dev.dlcontainer.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.dlcontainer.client.protocol.CancelRequestParams;
import dev.dlcontainer.client.protocol.Methods;
import dev.dlcontainer.client.protocol.ResponseError;
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
 * listeners, one reader thread. Cancelling a request's future sends {@code $/cancelRequest}. The
 * envelope is built and read in {@link Envelope}.
 */
public final class JsonRpcConnection implements AutoCloseable {
  /**
   * One mapper for every message. A newer server may send fields (or a kind of progress) this client
   * does not know: they are left out, not a reason to fail.
   */
  static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE, false);

  /** Told what a notification listener threw: its method and the exception. */
  public interface ListenerErrors {
    void failed(String method, Throwable error);
  }

  private final InputStream in;
  private final OutputStream out;
  private final Object writeLock = new Object();
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, JsonNode>> listeners = new CopyOnWriteArrayList<>();
  private final ListenerErrors listenerErrors;
  private final Thread reader;
  private volatile Throwable closedBy;

  /** Listener failures are written to stderr. */
  public JsonRpcConnection(InputStream in, OutputStream out) {
    this(in, out, (method, error) -> {
      System.err.println("dlcontainer: a listener for " + method + " failed: " + error);
      error.printStackTrace();
    });
  }

  public JsonRpcConnection(InputStream in, OutputStream out, ListenerErrors listenerErrors) {
    this.in = in;
    this.out = out;
    this.listenerErrors = listenerErrors;
    this.reader = new Thread(this::readLoop, "dlcontainer-rpc-reader");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Calls {@code listener} with (method, params) for each notification the server sends, on the reader
   * thread, until the subscription is closed. What a listener throws is reported to the connection's
   * {@link ListenerErrors} and costs neither the other listeners nor the connection.
   */
  public Subscription onNotification(BiConsumer<String, JsonNode> listener) {
    // A wrapper of its own, so that the same listener added twice is removed once per subscription.
    BiConsumer<String, JsonNode> entry = listener::accept;
    listeners.add(entry);
    return () -> listeners.remove(entry);
  }

  /** How many listeners are subscribed now. */
  int listenerCount() {
    return listeners.size();
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
          notify(Methods.CANCEL_REQUEST.method(), new CancelRequestParams(LongNode.valueOf(id)));
        } catch (IOException ignored) {
          // the connection is gone: nothing to cancel any more
        }
      }
    });
    try {
      send(Envelope.request(id, method, params));
    } catch (IOException | IllegalArgumentException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  /** Sends a notification. */
  public void notify(String method, Object params) throws IOException {
    send(Envelope.notification(method, params));
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
      while ((body = LspFraming.read(in)) != null) dispatch(Envelope.parse(MAPPER.readTree(body)));
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

  private void dispatch(Envelope.Incoming message) throws IOException {
    if (message instanceof Envelope.ServerRequest r) {
      send(Envelope.error(r.id(), RpcException.METHOD_NOT_FOUND, "the client does not handle " + r.method()));
    } else if (message instanceof Envelope.ServerNotification n) {
      for (BiConsumer<String, JsonNode> l : listeners) deliver(l, n);
    } else if (message instanceof Envelope.Response r) {
      CompletableFuture<JsonNode> f = pending.remove(r.id());
      if (f == null) return;  // cancelled, or an answer to nothing asked
      if (r.malformed() != null) {
        f.completeExceptionally(new IOException(r.malformed()));
      } else if (r.error() != null) {
        ResponseError e = r.error();
        String hint = e.data() == null ? "" : e.data().hint();
        String name = e.data() == null ? "" : e.data().code();
        f.completeExceptionally(new RpcException((int) e.code(), e.message() == null ? "" : e.message(), hint, name));
      } else {
        f.complete(r.result());
      }
    }
    // Envelope.Unusable: nothing this client asked for; the next message is read.
  }

  private void deliver(BiConsumer<String, JsonNode> listener, Envelope.ServerNotification n) {
    try {
      listener.accept(n.method(), n.params());
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      try {
        listenerErrors.failed(n.method(), e);
      } catch (RuntimeException reportFailed) {
        // The report itself failed (a logger that throws): say so where it cannot fail, and read on.
        System.err.println("dlcontainer: a listener for " + n.method() + " failed (" + e + "), and so did its report: " + reportFailed);
      }
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
