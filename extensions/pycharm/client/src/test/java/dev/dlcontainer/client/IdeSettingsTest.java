package dev.dlcontainer.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dlcontainer.client.protocol.GpuAttachment;
import dev.dlcontainer.client.protocol.IdeInterpreterResult;
import dev.dlcontainer.client.protocol.LibsMirror;
import dev.dlcontainer.client.protocol.LibsPath;
import dev.dlcontainer.client.protocol.PortBinding;
import dev.dlcontainer.client.protocol.PortEntry;
import dev.dlcontainer.client.protocol.ServiceInfo;
import dev.dlcontainer.client.protocol.WorkspaceStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdeSettingsTest {
  private static IdeInterpreterResult interp(boolean mirrored) {
    return new IdeInterpreterResult("/home/me/paper", "/home/me/paper/.dlcontainer/bin/python", "python3", "3.11.2", "abc",
        "/workspaces/paper", mirrored, "", List.of(), false, null);
  }

  @Test
  void theCopiedLibrariesAreTheInterpretersPathsNotTheWorkspace() {
    String tree = "/cache/libs/0b2481f87cbc/tree";
    var libs = new LibsMirror("/cache/libs/0b2481f87cbc", "sha256:0b2481f87cbc", List.of(
        new LibsPath("/usr/lib/python3.11", "stdlib", tree + "/usr/lib/python3.11"),
        new LibsPath("/usr/lib/python3/dist-packages", "packages", tree + "/usr/lib/python3/dist-packages"),
        new LibsPath("/workspaces/paper/src", "workspace", "/home/me/paper/src")),
        true, false, false, 10, 100, 100, 1L << 30, "2026-01-01T00:00:00Z", List.of());
    var r = new IdeInterpreterResult("/home/me/paper", "/home/me/paper/.dlcontainer/bin/python", "python3", "3.11.2", "abc",
        "/workspaces/paper", true, "", List.of(), false, libs);
    assertEquals(List.of(tree + "/usr/lib/python3.11", tree + "/usr/lib/python3/dist-packages"),
        IdeSettings.interpreter(r, "").libraryPaths());
    assertTrue(IdeSettings.interpreter(interp(true), "").libraryPaths().isEmpty(), "no copy (libs: false): no paths");
  }

  @Test
  void aMirroredInterpreterNeedsNoPathMappings() {
    var i = IdeSettings.interpreter(interp(true), "dlc-paper-1234");
    assertEquals("/home/me/paper/.dlcontainer/bin/python", i.homePath());
    assertEquals("dlcontainer: Python 3.11.2 (dlc-paper-1234)", i.name());
    assertTrue(i.pathMappings().isEmpty());
  }

  @Test
  void anUnmirroredInterpreterMapsTheWorkspace() {
    var i = IdeSettings.interpreter(interp(false), "");
    assertEquals(Map.of("/home/me/paper", "/workspaces/paper"), i.pathMappings());
    assertEquals("dlcontainer: Python 3.11.2", i.name());
  }

  private static ServiceInfo service(String url, String ip, int port) {
    return new ServiceInfo("jupyter", url, null, ip, port, 8888, "published", 12, false, "lab", "/tmp/jupyter.log", null, null, List.of());
  }

  @Test
  void browserUrlsAreLoopbackOnly() {
    assertEquals(Optional.of("http://127.0.0.1:8889/lab?token=abc"),
        IdeSettings.browserUrl(service("http://127.0.0.1:8889/lab?token=abc", "127.0.0.1", 8889)));
    assertEquals(Optional.of("http://127.0.0.1:6006/"), IdeSettings.browserUrl(service("", "127.0.0.1", 6006)));
    assertEquals(Optional.empty(), IdeSettings.browserUrl(service("http://0.0.0.0:8888/?token=x", "0.0.0.0", 8888)));
    assertEquals(Optional.empty(), IdeSettings.browserUrl(service("http://example.com/", "127.0.0.1", 80)));
    assertEquals(Optional.empty(), IdeSettings.browserUrl(service("file:///etc/passwd", "127.0.0.1", 1)));
    assertEquals(Optional.empty(), IdeSettings.browserUrl(service("", "127.0.0.1", 0)));
  }

  @Test
  void statusLineSaysWhatToDo() {
    var none = WorkspaceStatus.of("/w", "none", "", "", "", "", "", "", "", false, List.of());
    assertTrue(IdeSettings.statusLine(none).contains("Rebuild Container"));
    var running = WorkspaceStatus.of("/w", "running", "id", "dlc-w-1", "img", "", "dev", "/workspaces/w", "", true, List.of());
    assertEquals("running · dlc-w-1 · img · devcontainer.json changed: Rebuild Container applies it", IdeSettings.statusLine(running));
  }

  @Test
  void portRowsPreferTheServersListElsePublishedPorts() {
    var status = WorkspaceStatus.of("/w", "running", "id", "n", "i", "", "", "", "", false,
        List.of(new PortBinding(6006, "tcp", "127.0.0.1", 6007)));
    assertEquals(List.of(new IdeSettings.PortRow(6006, "127.0.0.1:6007", "", "published")), IdeSettings.portRows(status, List.of()));
    var listed = List.of(new PortEntry(8888, "tcp", "127.0.0.1", 8890, "forwarded", "jupyter", "jupyter-notebook", 7),
        new PortEntry(5000, "tcp", "", 0, "container", "", "python3", 9));
    assertEquals(List.of(new IdeSettings.PortRow(8888, "127.0.0.1:8890", "jupyter", "forwarded"),
        new IdeSettings.PortRow(5000, "(not reachable from the host)", "python3", "container")), IdeSettings.portRows(status, listed));
  }

  private static WorkspaceStatus running(GpuAttachment gpu) {
    return WorkspaceStatus.of("/w", "running", "id", "n", "i", "", "", "", "", false, List.of()).withGpu(gpu);
  }

  @Test
  void gpuLinesNameEachAttachedGpuOrWhyNone() {
    var none = new GpuAttachment("none", "", List.of(), List.of(), List.of(), List.of(), "the host has no NVIDIA driver");
    assertEquals(List.of("No GPU in the container: the host has no NVIDIA driver"), IdeSettings.gpuLines(running(none)));
    assertEquals(List.of("No GPU in the container"), IdeSettings.gpuLines(running(null)));
    var two = new GpuAttachment("toolkit", "all", List.of(0L, 1L), List.of("GPU-a", "GPU-b"), List.of("NVIDIA H100", "NVIDIA H100"),
        List.of("GPU-a", "GPU-b"), "");
    assertEquals(List.of("GPUs attached by toolkit (all)", "GPU 0: NVIDIA H100", "GPU 1: NVIDIA H100"), IdeSettings.gpuLines(running(two)));
    assertTrue(IdeSettings.gpuLines(WorkspaceStatus.of("/w", "none", "", "", "", "", "", "", "", false, List.of())).isEmpty());
  }
}
