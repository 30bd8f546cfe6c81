package dev.dlcontainer.pycharm;

import com.intellij.ide.BrowserUtil;
import com.intellij.notification.NotificationType;
import com.intellij.openapi.actionSystem.AnAction;
import com.intellij.openapi.actionSystem.AnActionEvent;
import com.intellij.openapi.project.Project;
import dev.dlcontainer.client.DlcontainerClient;
import dev.dlcontainer.client.IdeSettings;

/** Tools > dlcontainer > Open TensorBoard. */
public final class OpenTensorBoardAction extends AnAction {
  @Override
  public void actionPerformed(AnActionEvent e) {
    Project project = e.getProject();
    if (project == null) return;
    DlcontainerService service = DlcontainerService.of(project);
    service.background("Starting TensorBoard in the container", (client, indicator) -> {
      var info = DlcontainerClient.await(client.tensorboard(service.workspace()));
      IdeSettings.browserUrl(info).ifPresentOrElse(BrowserUtil::browse,
          () -> service.notify("TensorBoard answered with no local URL", NotificationType.WARNING));
    });
  }
}
