package dev.dlcontainer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LspFramingTest {
  private static ByteArrayInputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void writtenMessagesReadBackInOrderWithLengthsInBytes() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LspFraming.write(out, "{\"a\":\"ü€\"}");
    LspFraming.write(out, "{}");
    String wire = out.toString(StandardCharsets.UTF_8);
    assertTrue(wire.startsWith("Content-Length: 13\r\n\r\n"), wire);  // 10 characters, 13 bytes
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertEquals("{\"a\":\"ü€\"}", LspFraming.read(in));
    assertEquals("{}", LspFraming.read(in));
    assertNull(LspFraming.read(in));  // a clean end between messages
  }

  @Test
  void contentTypeAndHeaderCaseAreAccepted() throws IOException {
    String wire = "content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}";
    assertEquals("{}", LspFraming.read(bytes(wire)));
  }

  @Test
  void malformedOrTruncatedStreamsAreErrorsNotHangs() {
    assertThrows(IOException.class, () -> LspFraming.read(bytes("Content-Type: x\r\n\r\n{}")));
    assertThrows(IOException.class, () -> LspFraming.read(bytes("Content-Length: abc\r\n\r\n")));
    assertThrows(IOException.class, () -> LspFraming.read(bytes("no colon here\r\n\r\n")));
    assertThrows(EOFException.class, () -> LspFraming.read(bytes("Content-Length: 10\r\n\r\n{}")));
    assertThrows(EOFException.class, () -> LspFraming.read(bytes("Content-Length: 10\r\n")));
    assertThrows(IOException.class, () -> LspFraming.read(bytes("X-Long: " + "a".repeat(10000) + "\r\n\r\n")));
    assertThrows(IOException.class, () -> LspFraming.read(bytes("Content-Length: 999999999999\r\n\r\n")));
  }
}
