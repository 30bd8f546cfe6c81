package dev.dlcontainer.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The LSP base protocol that {@code dlcontainer serve} speaks: each message is a header block
 * ({@code Content-Length: N}, optionally {@code Content-Type}, each line ending in CRLF), an empty
 * line, then N bytes of UTF-8 JSON.
 */
public final class LspFraming {
  /** Headers longer than this are not ours: the stream is refused rather than buffered forever. */
  static final int MAX_HEADER_BYTES = 8 * 1024;
  /** The largest body read; the server's own limit is far below. */
  static final int MAX_BODY_BYTES = 256 * 1024 * 1024;

  private LspFraming() {}

  /** Writes one framed message. */
  public static void write(OutputStream out, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] header = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    out.write(header);
    out.write(body);
    out.flush();
  }

  /**
   * Reads one message body, or returns null at a clean end of stream (between messages).
   *
   * @throws IOException for a stream that ends inside a message or whose headers are malformed
   */
  public static String read(InputStream in) throws IOException {
    long length = -1;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int headerBytes = 0;
    boolean any = false;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (!any) return null;
        throw new EOFException("the stream ended inside a message header");
      }
      any = true;
      if (++headerBytes > MAX_HEADER_BYTES) throw new IOException("message header longer than " + MAX_HEADER_BYTES + " bytes");
      if (b != '\n') {
        line.write(b);
        continue;
      }
      String text = line.toString(StandardCharsets.US_ASCII);
      if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
      line.reset();
      if (text.isEmpty()) break;  // the end of the headers
      int colon = text.indexOf(':');
      if (colon <= 0) throw new IOException("malformed header line: " + text);
      String name = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = text.substring(colon + 1).trim();
      if (name.equals("content-length")) {
        try {
          length = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new IOException("Content-Length is not a number: " + value);
        }
      }
      // Content-Type and anything else are accepted and ignored, as the LSP says.
    }
    if (length < 0) throw new IOException("message without Content-Length");
    if (length > MAX_BODY_BYTES) throw new IOException("message body of " + length + " bytes is larger than " + MAX_BODY_BYTES);
    byte[] body = in.readNBytes((int) length);
    if (body.length != length) throw new EOFException("the stream ended inside a message body");
    return new String(body, StandardCharsets.UTF_8);
  }
}
