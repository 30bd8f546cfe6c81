package dev.dlcontainer.pycharm;

import com.intellij.execution.configurations.PathEnvironmentVariableUtil;
import com.intellij.notification.NotificationGroupManager;
import com.intellij.notification.NotificationType;
import com.intellij.openapi.Disposable;
import com.intellij.openapi.components.Service;
import com.intellij.openapi.diagnostic.Logger;
import com.intellij.openapi.progress.ProgressIndicator;
import com.intellij.openapi.progress.ProgressManager;
import com.intellij.openapi.progress.Task;
import com.intellij.openapi.project.Project;
import dev.dlcontainer.client.DlcontainerClient;
import dev.dlcontainer.client.RpcException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One {@code dlcontainer serve --stdio} per project, started when first needed. All the plugin's
 * actions go through it; none holds logic of its own (that is in the client module).
 */
@Service(Service.Level.PROJECT)
public final class DlcontainerService implements Disposable {
  private static final Logger LOG = Logger.getInstance(DlcontainerService.class);
  private final Project project;
  private DlcontainerClient client;

  public DlcontainerService(Project project) {
    this.project = project;
  }

  public static DlcontainerService of(Project project) {
    return project.getService(DlcontainerService.class);
  }

  /** The project's folder: the workspace dlcontainer opens. */
  public String workspace() {
    return project.getBasePath();
  }

  public synchronized DlcontainerClient client() throws IOException, RpcException {
    if (client != null) return client;
    DlcontainerClient c = DlcontainerClient.launch(binary(), LOG::info);
    c.initialize("pycharm", "0.1.0");
    c.onLog(LOG::info);
    client = c;
    return c;
  }

  static Path binary() throws IOException {
    String env = System.getenv("DLCONTAINER");
    if (env != null && !env.isEmpty()) return Path.of(env);
    File found = PathEnvironmentVariableUtil.findInPath("dlcontainer");
    if (found == null) throw new IOException("dlcontainer is not on PATH: install it, or set DLCONTAINER to its path");
    return found.toPath();
  }

  /** Work that talks to the server, off the UI thread, with the error shown as a notification. */
  public interface Work {
    void run(DlcontainerClient client, ProgressIndicator indicator) throws Exception;
  }

  public void background(String title, Work work) {
    ProgressManager.getInstance().run(new Task.Backgroundable(project, title, true) {
      @Override
      public void run(ProgressIndicator indicator) {
        try {
          work.run(client(), indicator);
        } catch (RpcException e) {
          notify(e.userText(), NotificationType.ERROR);
        } catch (Exception e) {
          notify(title + " failed: " + e.getMessage(), NotificationType.ERROR);
        }
      }
    });
  }

  public void notify(String text, NotificationType type) {
    NotificationGroupManager.getInstance().getNotificationGroup("dlcontainer").createNotification(text, type).notify(project);
  }

  @Override
  public synchronized void dispose() {
    if (client == null) return;
    try {
      client.shutdown(5);
    } catch (Exception e) {
      client.close();
    }
    client = null;
  }
}
