// What every command shares (rust-analyzer's Ctx): the server, the output channel, the documents,
// the status bar, and the few ways a command talks to the server and shows the outcome.
import * as vscode from 'vscode';
import { DlcClient, Method, ParamsOf, ResultOf } from './client';
import { DocumentStore } from './documents';
import { describeError, notificationText } from './errors';
import { pickFolder } from './folders';
import { withServerProgress } from './progress';
import { ServerManager } from './server';
import { StatusBar } from './statusBar';

export class Ctx {
  constructor(
    readonly extension: vscode.ExtensionContext,
    readonly server: ServerManager,
    readonly output: vscode.OutputChannel,
    readonly docs: DocumentStore,
    readonly status: StatusBar,
  ) {}

  client(): Promise<DlcClient> {
    return this.server.client();
  }

  folder(uri?: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
    return pickFolder(uri);
  }

  // The client, when its server offers `method`; else an error that says to update dlcontainer.
  async requireMethod(method: Method, what: string): Promise<DlcClient> {
    const client = await this.client();
    if (!client.supports(method)) {
      throw new Error(
        `this dlcontainer server (${client.serverVersion}) does not offer ${what} (the ${method} method); update dlcontainer`,
      );
    }
    return client;
  }

  // A request under a progress notification, cancellable.
  withProgress<M extends Method>(title: string, method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return Promise.resolve(
      withServerProgress(
        title,
        async (onProgress, token) => (await this.client()).request(method, params, { onProgress, token }),
        this.output,
      ),
    );
  }

  showError(err: unknown): void {
    const view = describeError(err);
    if (view.cancelled) {
      void vscode.window.showInformationMessage('dlcontainer: cancelled.');
      return;
    }
    this.output.appendLine(`error: ${view.message}${view.hint ? `\nhint: ${view.hint}` : ''}`);
    const titles = view.actions.map((a) => a.title);
    void vscode.window.showErrorMessage(`dlcontainer: ${notificationText(view)}`, ...titles).then((picked) => {
      const action = view.actions.find((a) => a.title === picked);
      if (action) void vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    });
  }

  // Runs a command's work; what it throws is shown, not left to VS Code's generic error.
  async guarded(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.showError(err);
    }
  }

  // What the server says the user should know about a service it started (shown, not acted on).
  showNotes(notes: string[] | undefined): void {
    for (const note of notes ?? []) {
      this.output.appendLine(`note: ${note}`);
      void vscode.window.showWarningMessage(`dlcontainer: ${note}`);
    }
  }
}
