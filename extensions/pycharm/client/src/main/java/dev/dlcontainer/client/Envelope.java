package dev.dlcontainer.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dlcontainer.client.protocol.Notification;
import dev.dlcontainer.client.protocol.Request;
import dev.dlcontainer.client.protocol.ResponseError;

/**
 * The JSON-RPC 2.0 envelope, both ways, in one place: what this client sends is built from the
 * protocol's own Request and Notification types (generated from schemas/protocol/common.json), and
 * what arrives is told apart here, once.
 */
final class Envelope {
  static final String VERSION = "2.0";

  private Envelope() {}

  static JsonNode request(long id, String method, Object params) {
    return JsonRpcConnection.MAPPER.valueToTree(new Request(VERSION, LongNode.valueOf(id), method, tree(params)));
  }

  static JsonNode notification(String method, Object params) {
    return JsonRpcConnection.MAPPER.valueToTree(new Notification(VERSION, method, tree(params)));
  }

  /** The answer to a request the server sent: an error (this client answers none). */
  static JsonNode error(JsonNode id, int code, String message) {
    ObjectNode answer = JsonRpcConnection.MAPPER.createObjectNode();
    answer.put("jsonrpc", VERSION);
    answer.set("id", id);
    answer.set("error", JsonRpcConnection.MAPPER.valueToTree(new ResponseError(code, message, null)));
    return answer;
  }

  private static JsonNode tree(Object params) {
    return params == null ? null : JsonRpcConnection.MAPPER.valueToTree(params);
  }

  /** A message from the server. */
  sealed interface Incoming permits ServerRequest, ServerNotification, Response, Unusable {}

  /** A request the server sends (it has a method and an id). */
  record ServerRequest(JsonNode id, String method) implements Incoming {}

  /** A notification (a method, no id). */
  record ServerNotification(String method, JsonNode params) implements Incoming {}

  /**
   * An answer to one of this client's requests: its id, and either its result or its error (an
   * error that does not have the protocol's shape becomes {@code malformed}).
   */
  record Response(long id, JsonNode result, ResponseError error, String malformed) implements Incoming {}

  /** Anything else: an answer to nothing this client asked, or not a message at all. */
  record Unusable(String why) implements Incoming {}

  static Incoming parse(JsonNode message) {
    if (message == null || !message.isObject()) return new Unusable("not a JSON object");
    JsonNode id = message.get("id");
    JsonNode method = message.get("method");
    if (method != null && method.isTextual()) {
      if (id != null && !id.isNull()) return new ServerRequest(id, method.asText());
      return new ServerNotification(method.asText(), message.has("params") ? message.get("params") : JsonRpcConnection.MAPPER.nullNode());
    }
    if (id == null || !id.canConvertToLong()) return new Unusable("an answer without one of this client's ids");
    JsonNode error = message.get("error");
    if (error != null && !error.isNull()) {
      try {
        return new Response(id.asLong(), null, JsonRpcConnection.MAPPER.treeToValue(error, ResponseError.class), null);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        return new Response(id.asLong(), null, null, "an error answer that is not a JSON-RPC error: " + error);
      }
    }
    return new Response(id.asLong(), message.has("result") ? message.get("result") : JsonRpcConnection.MAPPER.nullNode(), null, null);
  }
}
