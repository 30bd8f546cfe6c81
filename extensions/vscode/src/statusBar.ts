// The status bar item: the container state of the active editor's folder, kept current by the
// server's engine events (workspace/didChangeStatus) rather than by polling.
import * as vscode from 'vscode';
import { DidChangeStatusParams, DlcClient } from './client';
import { Commands, describeError, notificationText } from './errors';
import { canonical, currentFolderPath, isOpenFolder } from './folders';
import { WorkspaceStatus } from './protocol';
import { ServerManager } from './server';
import { statusView } from './statusView';

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly statuses = new Map<string, WorkspaceStatus>();
  private busy: string | undefined;
  private serverError: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly server: ServerManager,
    private readonly output: vscode.OutputChannel,
  ) {
    this.item = vscode.window.createStatusBarItem('dlcontainer.status', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'dlcontainer';
    this.item.command = Commands.showCommands;
    this.disposables.push(
      this.item,
      server.onDidChangeStatus((change) => void this.onStatusChange(change)),
      server.onDidStart((c) => void this.refresh(c)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  set(status: WorkspaceStatus): void {
    this.statuses.set(canonical(status.workspace), status);
    this.render();
  }

  // What the item says while a command works ("creating container…"); undefined when done.
  setBusy(text: string | undefined): void {
    this.busy = text;
    this.render();
  }

  render(): void {
    const folder = currentFolderPath();
    if (!folder) {
      this.item.hide();
      return;
    }
    const view = statusView(this.statuses.get(folder), this.busy, this.serverError);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  // Every open folder's status from the server.
  async refresh(client?: DlcClient): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    try {
      const c = client ?? (await this.server.client());
      this.serverError = undefined;
      for (const f of folders) this.set(await c.request('workspace/status', { workspace: f.uri.fsPath }));
    } catch (err) {
      const view = describeError(err);
      this.output.appendLine(`status: ${view.message}${view.hint ? `\nhint: ${view.hint}` : ''}`);
      // A server that cannot start is shown as such; an error for one folder is not the server's.
      if (!this.server.running) this.serverError = notificationText(view);
      this.render();
    }
  }

  // An engine event: show the new state at once, then the full status (ports, image) from the server.
  private async onStatusChange(change: DidChangeStatusParams): Promise<void> {
    // What the event's status leaves out (the GPUs, when it does) stays as it was known.
    const known = this.statuses.get(canonical(change.workspace));
    this.set({ ...(known ?? {}), ...change.status, workspace: change.workspace });
    if (!isOpenFolder(change.workspace)) return;
    try {
      const client = await this.server.client();
      this.set(await client.request('workspace/status', { workspace: change.workspace }));
    } catch (err) {
      this.output.appendLine(`status after ${change.event}: ${describeError(err).message}`);
    }
  }
}
