package dev.dlcontainer.client;

import dev.dlcontainer.client.protocol.GpuAttachment;
import dev.dlcontainer.client.protocol.IdeInterpreterResult;
import dev.dlcontainer.client.protocol.PortBinding;
import dev.dlcontainer.client.protocol.PortEntry;
import dev.dlcontainer.client.protocol.ServiceInfo;
import dev.dlcontainer.client.protocol.WorkspaceStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the server's answers mean for the IDE: the interpreter to register, the path mappings it
 * needs, the URLs to open and the lines of the tool window. Pure functions, so the plugin's glue
 * holds no decisions of its own.
 */
public final class IdeSettings {
  private IdeSettings() {}

  /**
   * A local interpreter for PyCharm (either edition): its path, a name, the mappings it needs, and the
   * host folders its indexer reads for the container's libraries (the read-only copy's package and
   * standard-library folders, in sys.path order; the workspace's own folders are the project's).
   */
  public record Interpreter(String homePath, String name, Map<String, String> pathMappings, List<String> libraryPaths) {}

  /** One row of the tool window's port table. */
  public record PortRow(int containerPort, String address, String service, String via) {}

  public static Interpreter interpreter(IdeInterpreterResult r, String containerName) {
    String name = "dlcontainer: Python " + r.pythonVersion() + (containerName == null || containerName.isEmpty() ? "" : " (" + containerName + ")");
    Map<String, String> mappings = new LinkedHashMap<>();
    // Mirrored, the container sees the project at the same path: PyCharm needs no mapping at all.
    if (!r.mirrorHostPath() && r.remoteWorkspaceFolder() != null && !r.remoteWorkspaceFolder().equals(r.workspace())) {
      mappings.put(r.workspace(), r.remoteWorkspaceFolder());
    }
    List<String> libraries = new ArrayList<>();
    if (r.libs() != null) {
      for (var p : r.libs().paths()) {
        if (!"workspace".equals(p.kind()) && p.host() != null && !p.host().isEmpty()) libraries.add(p.host());
      }
    }
    return new Interpreter(r.interpreter(), name, mappings, List.copyOf(libraries));
  }

  /**
   * The URL to open in a browser for a web service. Only loopback addresses are accepted: dlcontainer
   * publishes there, and anything else would mean the answer is not what it should be.
   */
  public static Optional<String> browserUrl(ServiceInfo s) {
    String url = s.url();
    if (url.isEmpty()) {
      if (s.hostPort() <= 0) return Optional.empty();
      url = "http://" + (s.hostIp() == null || s.hostIp().isEmpty() ? "127.0.0.1" : s.hostIp()) + ":" + s.hostPort() + "/";
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    String host = uri.getHost();
    if (host == null || !(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1"))) {
      return Optional.empty();
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) return Optional.empty();
    return Optional.of(url);
  }

  /** Whether the workspace's container runs (what the tool window asks before listing ports). */
  public static boolean running(WorkspaceStatus s) {
    return s != null && "running".equals(s.state());
  }

  /** The tool window's status line. */
  public static String statusLine(WorkspaceStatus s) {
    if (s == null || "none".equals(s.state())) return "No container yet: use Rebuild Container (or dlcontainer up)";
    String line = s.state() + " · " + s.containerName() + " · " + s.image();
    if (s.outOfDate()) line += " · devcontainer.json changed: Rebuild Container applies it";
    return line;
  }

  /**
   * The port rows: ports/list when the server has it (it knows what serves there and forwards), else
   * the container's published ports from its status.
   */
  public static List<PortRow> portRows(WorkspaceStatus status, List<PortEntry> listed) {
    List<PortRow> rows = new ArrayList<>();
    if (listed != null && !listed.isEmpty()) {
      for (PortEntry p : listed) {
        String address = p.hostPort() > 0 ? p.hostIp() + ":" + p.hostPort() : "(not reachable from the host)";
        String service = p.service() != null && !p.service().isEmpty() ? p.service() : p.process() == null ? "" : p.process();
        rows.add(new PortRow(p.containerPort(), address, service, p.via() == null ? "" : p.via()));
      }
      return rows;
    }
    if (status != null) {
      for (PortBinding p : status.ports()) rows.add(new PortRow(p.containerPort(), p.hostIp() + ":" + p.hostPort(), "", "published"));
    }
    return rows;
  }

  /** The tool window's GPU lines: what the workspace's container was given, or why nothing. */
  public static List<String> gpuLines(WorkspaceStatus s) {
    List<String> lines = new ArrayList<>();
    if (s == null || "none".equals(s.state())) return lines;
    GpuAttachment g = s.gpu();
    if (g == null || "none".equals(g.method())) {
      lines.add("No GPU in the container" + (g == null || g.reason().isEmpty() ? "" : ": " + g.reason()));
      return lines;
    }
    lines.add("GPUs attached by " + g.method() + (g.selection() == null || g.selection().isEmpty() ? "" : " (" + g.selection() + ")"));
    for (int i = 0; i < g.indices().size(); ++i) {
      String name = i < g.names().size() ? g.names().get(i) : "";
      lines.add(String.format(Locale.ROOT, "GPU %d%s", g.indices().get(i), name.isEmpty() ? "" : ": " + name));
    }
    return lines;
  }
}
