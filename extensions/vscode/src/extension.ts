// Entry point: wires the server connection, the commands, the status bar and the debug type together.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { canonical, Controller, DocScheme, DocumentStore } from './controller';
import { DebugType, DlcDebugConfigurationProvider } from './debug';
import { offerPathLink } from './pathLink';
import { ServerManager } from './server';

let server: ServerManager | undefined;

export interface DlcExtensionApi {
  controller: Controller;
  server: ServerManager;
}

function hasDevcontainer(folder: vscode.WorkspaceFolder): boolean {
  return ['.devcontainer/devcontainer.json', '.devcontainer.json'].some((rel) =>
    fs.existsSync(path.join(folder.uri.fsPath, rel)),
  );
}

export async function activate(context: vscode.ExtensionContext): Promise<DlcExtensionApi> {
  const output = vscode.window.createOutputChannel('dlcontainer');
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0';
  server = new ServerManager(context.extensionPath, output, version);
  const docs = new DocumentStore();
  const controller = new Controller(context, server, output, docs);
  context.subscriptions.push(
    output,
    controller,
    vscode.workspace.registerTextDocumentContentProvider(DocScheme, docs),
    ...controller.register(),
    vscode.debug.registerDebugConfigurationProvider(
      DebugType,
      new DlcDebugConfigurationProvider(
        (request, token) => controller.runDebugRequest(request, token),
        (err) => controller.showError(err),
        (folder) => controller.pickProcess(folder),
      ),
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dlcontainer.serverPath')) void server?.restart().catch((err) => controller.showError(err));
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void controller.refreshStatus()),
    vscode.commands.registerCommand('dlcontainer.linkToPath', () =>
      offerPathLink(context, server!.binary(), { explicit: true }).catch((err) => controller.showError(err)),
    ),
  );
  // Running the bundled binary: offer it to terminals (src/pathLink.ts), asking first.
  try {
    const binary = server.binary();
    void offerPathLink(context, binary).catch((err) => output.appendLine(`linking ~/.local/bin/dlcontainer: ${err}`));
  } catch {
    // No binary at all: the first command that needs the server says so, with the fix.
  }

  // A folder with a devcontainer.json shows its container's state at once; others wait for a command.
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.some(hasDevcontainer)) {
    controller.render();
    void controller.refreshStatus();
  }
  void controller.resumePendingOpen();
  output.appendLine(`dlcontainer extension ${version} active in ${folders.map((f) => canonical(f.uri.fsPath)).join(', ') || 'no folder'}`);
  return { controller, server };
}

export async function deactivate(): Promise<void> {
  await server?.dispose();
  server = undefined;
}
