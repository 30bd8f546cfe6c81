package dev.dlcontainer.pycharm;

import com.intellij.notification.NotificationType;
import com.intellij.openapi.actionSystem.AnAction;
import com.intellij.openapi.actionSystem.AnActionEvent;
import com.intellij.openapi.application.ApplicationManager;
import com.intellij.openapi.application.WriteAction;
import com.intellij.openapi.project.Project;
import com.intellij.openapi.projectRoots.Sdk;
import com.intellij.openapi.projectRoots.SdkModificator;
import com.intellij.openapi.projectRoots.impl.SdkConfigurationUtil;
import com.intellij.openapi.roots.OrderRootType;
import com.intellij.openapi.vfs.LocalFileSystem;
import com.intellij.openapi.vfs.VirtualFile;
import com.jetbrains.python.PythonHelpersLocator;
import com.jetbrains.python.sdk.PythonSdkType;
import dev.dlcontainer.client.DlcontainerClient;
import dev.dlcontainer.client.IdeSettings;
import dev.dlcontainer.client.protocol.IdeInterpreterResult;
import dev.dlcontainer.client.protocol.WorkspaceStatus;
import java.util.List;

/** Tools > dlcontainer > Use dlcontainer Interpreter: the container's Python as a local interpreter. */
public final class UseInterpreterAction extends AnAction {
  @Override
  public void actionPerformed(AnActionEvent e) {
    Project project = e.getProject();
    if (project == null) return;
    DlcontainerService service = DlcontainerService.of(project);
    service.background("Bringing the dlcontainer interpreter up", (client, indicator) -> {
      // PyCharm passes its helper scripts by host path: mounted up front, no re-create later.
      String helpers = PythonHelpersLocator.getHelpersRoot().getPath();
      IdeInterpreterResult r = DlcontainerClient.await(client.interpreter(service.workspace(), List.of(helpers)));
      WorkspaceStatus s = DlcontainerClient.await(client.status(service.workspace()));
      IdeSettings.Interpreter interp = IdeSettings.interpreter(r, s.containerName());
      ApplicationManager.getApplication().invokeLater(() -> {
        Sdk sdk = SdkConfigurationUtil.createAndAddSDK(interp.homePath(), PythonSdkType.getInstance());
        if (sdk == null) {
          service.notify("PyCharm did not accept " + interp.homePath() + " as an interpreter", NotificationType.ERROR);
          return;
        }
        SdkModificator m = sdk.getSdkModificator();
        m.setName(interp.name());
        // The read-only copy of the container's libraries: PyCharm's indexer resolves the framework
        // from it, as it does for its own Docker interpreter's copied remote sources.
        int missing = 0;
        for (String path : interp.libraryPaths()) {
          VirtualFile root = LocalFileSystem.getInstance().refreshAndFindFileByPath(path);
          if (root == null) ++missing;
          else m.addRoot(root, OrderRootType.CLASSES);
        }
        WriteAction.run(m::commitChanges);
        if (missing > 0) service.notify(missing + " folder(s) of the container's libraries were not found on disk", NotificationType.WARNING);
        SdkConfigurationUtil.setDirectoryProjectSdk(project, sdk);
        String note = interp.pathMappings().isEmpty() ? ""
            : " The workspace is not mirrored (" + r.mirrorNote() + "): paths are mapped by the wrapper.";
        if (r.libs() != null && !r.libs().notes().isEmpty()) service.notify(r.libs().notes().get(0), NotificationType.WARNING);
        service.notify("Interpreter: " + interp.name() + "." + note, NotificationType.INFORMATION);
      });
    });
  }
}
