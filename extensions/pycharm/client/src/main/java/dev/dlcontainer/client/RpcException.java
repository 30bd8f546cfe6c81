package dev.dlcontainer.client;

/**
 * A JSON-RPC error answer. {@code dlcontainer} puts what to do about it in {@code data.hint} and its
 * own name for the error in {@code data.code} ("containerNotFound", ...).
 */
public final class RpcException extends Exception {
  private static final long serialVersionUID = 1L;

  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;
  public static final int SERVER_NOT_INITIALIZED = -32002;
  public static final int REQUEST_CANCELLED = -32800;

  private final int code;
  private final String hint;
  private final String name;

  public RpcException(int code, String message, String hint, String name) {
    super(message);
    this.code = code;
    this.hint = hint == null ? "" : hint;
    this.name = name == null ? "" : name;
  }

  /** The JSON-RPC code: a standard one, or dlcontainer's own (1000..1099). */
  public int code() {
    return code;
  }

  /** What the user can do about it, or "". */
  public String hint() {
    return hint;
  }

  /** dlcontainer's name for the error ("containerNotFound"), or "" for a protocol error. */
  public String errorName() {
    return name;
  }

  /** The message and the hint, as an IDE shows them in a notification. */
  public String userText() {
    return hint.isEmpty() ? getMessage() : getMessage() + "\n" + hint;
  }
}
