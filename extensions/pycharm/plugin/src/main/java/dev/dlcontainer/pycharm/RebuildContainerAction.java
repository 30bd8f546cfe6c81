package dev.dlcontainer.pycharm;

import com.intellij.notification.NotificationType;
import com.intellij.openapi.actionSystem.AnAction;
import com.intellij.openapi.actionSystem.AnActionEvent;
import com.intellij.openapi.project.Project;
import dev.dlcontainer.client.DlcontainerClient;

/** Tools > dlcontainer > Rebuild Container: the image rebuilt and the container made anew. */
public final class RebuildContainerAction extends AnAction {
  @Override
  public void actionPerformed(AnActionEvent e) {
    Project project = e.getProject();
    if (project == null) return;
    DlcontainerService service = DlcontainerService.of(project);
    service.background("Rebuilding the dlcontainer container", (client, indicator) -> {
      var up = client.up(service.workspace(), true);
      indicator.setText("Building the image and re-creating the container");
      // The Cancel button cancels the request: the server stops the build.
      while (!up.isDone()) {
        if (indicator.isCanceled()) {
          up.cancel(true);
          return;
        }
        Thread.sleep(200);
      }
      var r = DlcontainerClient.await(up);
      service.notify("Container " + r.containerName() + " " + r.action(), NotificationType.INFORMATION);
    });
  }
}
