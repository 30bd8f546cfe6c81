package dev.dlcontainer.client;

import java.util.List;
import java.util.Map;

/**
 * The wire types of {@code dlcontainer serve} (schemas/protocol/ in the repository holds their JSON
 * Schemas). Unknown fields are ignored, so a newer server still talks to an older plugin.
 */
public final class Protocol {
  private Protocol() {}

  public record ServerInfo(String name, String version) {}

  public record Capabilities(List<String> methods, List<String> notifications) {
    public Capabilities {
      methods = methods == null ? List.of() : methods;
      notifications = notifications == null ? List.of() : notifications;
    }
  }

  public record InitializeResult(ServerInfo serverInfo, Capabilities capabilities) {}

  public record PortBinding(int containerPort, String protocol, String hostIp, int hostPort) {}

  /** How GPUs were attached to a container (method none, toolkit, cdi or direct), and why. */
  public record GpuAttachment(String method, String selection, List<Integer> indices, List<String> uuids, List<String> names,
      String reason) {
    public GpuAttachment {
      method = method == null ? "none" : method;
      indices = indices == null ? List.of() : indices;
      names = names == null ? List.of() : names;
      uuids = uuids == null ? List.of() : uuids;
      reason = reason == null ? "" : reason;
    }
  }

  public record WorkspaceStatus(String workspace, String state, String containerId, String containerName, String image,
      String configFile, String remoteUser, String remoteWorkspaceFolder, String startedAt, boolean outOfDate,
      List<PortBinding> ports, GpuAttachment gpu) {
    public WorkspaceStatus {
      ports = ports == null ? List.of() : ports;
    }

    public boolean running() {
      return "running".equals(state);
    }
  }

  public record UpResult(String outcome, String containerId, String remoteUser, String remoteWorkspaceFolder,
      String workspace, String configFile, String containerName, String image, String action, boolean outOfDate,
      List<PortBinding> ports, List<String> commandsRun) {
    public UpResult {
      ports = ports == null ? List.of() : ports;
      commandsRun = commandsRun == null ? List.of() : commandsRun;
    }
  }

  public record DownResult(String workspace, String containerId, String action) {}

  public record ExecResult(int exitCode, String stdout, String stderr, boolean truncated) {}

  /** {@code ide/interpreter}: what {@code dlcontainer interpreter} reports (schemas/protocol/ide.interpreter.json). */
  public record InterpreterResult(String workspace, String interpreter, String python, String pythonVersion,
      String containerId, String remoteWorkspaceFolder, boolean mirrorHostPath, String mirrorNote, List<String> helpers,
      boolean recreated) {
    public InterpreterResult {
      helpers = helpers == null ? List.of() : helpers;
      mirrorNote = mirrorNote == null ? "" : mirrorNote;
    }
  }

  /** {@code ide/sshConfig}: the Host entry and its parts (schemas/protocol/ide.sshConfig.json). */
  public record SshConfigResult(String workspace, String host, String hostName, int port, String user, String identityFile,
      String knownHostsFile, String containerId, boolean recreated, String config, String configFile) {}

  /** A service (Jupyter, TensorBoard, a debugger) as the user reaches it. */
  public record ServiceInfo(String kind, String url, String hostIp, int hostPort, int containerPort, String via, int pid,
      boolean reused, String detail, List<String> notes) {
    public ServiceInfo {
      notes = notes == null ? List.of() : notes;
      url = url == null ? "" : url;
    }
  }

  /** One row of {@code ports/list}. */
  public record PortEntry(int containerPort, String protocol, String hostIp, int hostPort, String via, String service,
      String process, int pid) {}

  /** {@code workspace/didChangeStatus}. */
  public record StatusChange(String workspace, String event, String containerId, WorkspaceStatus status) {}

  /** {@code window/logMessage}. */
  public record LogMessage(int type, String message) {}

  static Map<String, Object> workspace(String folder) {
    return Map.of("workspace", folder);
  }
}
