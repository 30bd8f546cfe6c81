package dev.dlcontainer.pycharm;

import com.intellij.openapi.application.ApplicationManager;
import com.intellij.openapi.project.Project;
import com.intellij.openapi.util.Disposer;
import com.intellij.openapi.wm.ToolWindow;
import com.intellij.openapi.wm.ToolWindowFactory;
import com.intellij.ui.components.JBLabel;
import com.intellij.ui.components.JBScrollPane;
import com.intellij.ui.table.JBTable;
import com.intellij.ui.content.Content;
import com.intellij.ui.content.ContentFactory;
import dev.dlcontainer.client.DlcontainerClient;
import dev.dlcontainer.client.IdeSettings;
import dev.dlcontainer.client.Subscription;
import dev.dlcontainer.client.protocol.Methods;
import dev.dlcontainer.client.protocol.PortEntry;
import java.awt.BorderLayout;
import java.util.List;
import javax.swing.BoxLayout;
import javax.swing.JButton;
import javax.swing.JPanel;
import javax.swing.table.DefaultTableModel;

/** The dlcontainer tool window: the container's status, its ports and the GPUs it was given. */
public final class DlcontainerToolWindowFactory implements ToolWindowFactory {
  @Override
  public void createToolWindowContent(Project project, ToolWindow toolWindow) {
    DlcontainerService service = DlcontainerService.of(project);
    JBLabel status = new JBLabel("…");
    DefaultTableModel ports = new DefaultTableModel(new Object[] {"Container port", "Host address", "Service", "Via"}, 0);
    JPanel gpus = new JPanel();
    gpus.setLayout(new BoxLayout(gpus, BoxLayout.Y_AXIS));
    JButton refresh = new JButton("Refresh");

    Runnable load = () -> service.background("Reading dlcontainer status", (client, indicator) -> {
      var s = DlcontainerClient.await(client.status(service.workspace()));
      List<PortEntry> listed = client.offers(Methods.PORTS_LIST) && IdeSettings.running(s)
          ? DlcontainerClient.await(client.ports(service.workspace())) : List.of();
      List<String> gpuLines = IdeSettings.gpuLines(s);
      ApplicationManager.getApplication().invokeLater(() -> {
        status.setText(IdeSettings.statusLine(s));
        ports.setRowCount(0);
        for (IdeSettings.PortRow r : IdeSettings.portRows(s, listed)) {
          ports.addRow(new Object[] {r.containerPort(), r.address(), r.service(), r.via()});
        }
        gpus.removeAll();
        for (String line : gpuLines) gpus.add(new JBLabel(line));
        gpus.revalidate();
      });
    });
    refresh.addActionListener(e -> load.run());

    JPanel top = new JPanel(new BorderLayout());
    top.add(status, BorderLayout.CENTER);
    top.add(refresh, BorderLayout.EAST);
    JPanel panel = new JPanel(new BorderLayout());
    panel.add(top, BorderLayout.NORTH);
    panel.add(new JBScrollPane(new JBTable(ports)), BorderLayout.CENTER);
    panel.add(gpus, BorderLayout.SOUTH);
    Content content = ContentFactory.getInstance().createContent(panel, "", false);
    toolWindow.getContentManager().addContent(content);

    load.run();
    // Engine events (a container died or was re-created) refresh it without polling, for as long as
    // the tool window's content lives: disposing it removes the listener from the client.
    service.background("Following dlcontainer events", (client, indicator) -> {
      Subscription events = client.onStatusChange(change -> {
        if (service.workspace().equals(change.workspace())) load.run();
      });
      if (!Disposer.tryRegister(content, events::close)) events.close();
    });
  }
}
