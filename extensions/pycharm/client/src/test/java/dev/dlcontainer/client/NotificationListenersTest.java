package dev.dlcontainer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.dlcontainer.client.protocol.Methods;
import dev.dlcontainer.client.protocol.ProgressParams;
import dev.dlcontainer.client.protocol.WorkspaceStatusParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Notification listeners against a real {@code dlcontainer serve --stdio}: a request that carries a
 * workDoneToken makes the server send {@code $/progress} begin and end for it, which is what the
 * listeners hear. No engine is needed (the status request may fail; its progress is sent anyway).
 */
class NotificationListenersTest {
  private Path root;
  private DlcontainerClient client;
  private final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    String b = System.getProperty("dlc.binary", System.getenv().getOrDefault("DLC_BINARY", ""));
    ServeTest.require(!b.isEmpty() && Files.isExecutable(Path.of(b)), "no dlcontainer binary (-Ddlc.binary)");
    root = Files.createTempDirectory("dlc-java-listeners-");
    client = DlcontainerClient.launch(Path.of(b), log::add);
    client.initialize("dlcontainer-pycharm-tests", "0");
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) client.close();
    if (root != null) Files.deleteIfExists(root);
  }

  /** workspace/status with a workDoneToken; its answer (or error) is waited for, so its progress has arrived. */
  private void statusWithProgress(String token) throws Exception {
    try {
      DlcontainerClient.await(client.call(Methods.WORKSPACE_STATUS,
          WorkspaceStatusParams.of(root.toString()).withWorkDoneToken(TextNode.valueOf(token))));
    } catch (RpcException e) {
      // No engine here: the answer is an error; the progress before it is what this test needs.
    }
  }

  private static List<String> kinds(List<ProgressParams> heard, String token) {
    return heard.stream().filter(p -> p.token().asText().equals(token)).map(p -> p.value().kind()).toList();
  }

  @Test
  void aListenerThatThrowsCostsNeitherTheOtherListenersNorTheConnection() throws Exception {
    List<ProgressParams> heard = new CopyOnWriteArrayList<>();
    client.on(Methods.PROGRESS, p -> {
      throw new IllegalStateException("a bug in a listener");
    });
    client.on(Methods.PROGRESS, heard::add);

    statusWithProgress("first");
    // The reader thread lived through the throw: a second request's progress and answer arrive too.
    statusWithProgress("second");
    assertEquals(List.of("begin", "end"), kinds(heard, "first"));
    assertEquals(List.of("begin", "end"), kinds(heard, "second"));
    assertFalse(client.connection().isClosed());
    // Each failure is said, with the method and the exception: two notifications per request.
    long reports = log.stream().filter(l -> l.startsWith("a listener for $/progress failed:") && l.contains("a bug in a listener")).count();
    assertEquals(4, reports, String.join("\n", log));
  }

  @Test
  void aClosedSubscriptionHearsNothingMoreWhileOthersStillDo() throws Exception {
    List<ProgressParams> removed = new CopyOnWriteArrayList<>();
    List<ProgressParams> kept = new CopyOnWriteArrayList<>();
    int before = client.connection().listenerCount();
    Subscription subscription = client.on(Methods.PROGRESS, removed::add);
    client.on(Methods.PROGRESS, kept::add);
    assertEquals(before + 2, client.connection().listenerCount());

    statusWithProgress("one");
    assertEquals(List.of("begin", "end"), kinds(removed, "one"));

    subscription.close();
    subscription.close();  // twice: nothing more happens
    assertEquals(before + 1, client.connection().listenerCount());
    statusWithProgress("two");
    assertEquals(List.of("begin", "end"), kinds(kept, "two"), "the notifications did arrive");
    assertTrue(kinds(removed, "two").isEmpty(), "the closed listener heard " + removed);
  }

  @Test
  void onLogsSubscriptionRemovesBothItsListeners() throws Exception {
    int before = client.connection().listenerCount();
    List<String> lines = new CopyOnWriteArrayList<>();
    Subscription logs = client.onLog(lines::add);
    assertEquals(before + 2, client.connection().listenerCount());
    statusWithProgress("log");
    assertTrue(lines.contains("workspace/status"), "progress begins are logged by title: " + lines);
    logs.close();
    assertEquals(before, client.connection().listenerCount());
  }
}
