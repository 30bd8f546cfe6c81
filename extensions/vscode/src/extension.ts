// Entry point: wires the server connection, the commands, the status bar and the debug type together.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { resumePendingOpen } from './commands/container';
import { pickProcess, runDebugRequest } from './commands/debugging';
import { ServiceState } from './commands/services';
import { Ctx } from './context';
import { DebugType, DlcDebugConfigurationProvider } from './debug';
import { DocScheme, DocumentStore } from './documents';
import { canonical, hasDevcontainer } from './folders';
import { offerPathLink } from './pathLink';
import { ServerManager } from './server';
import { StatusBar } from './statusBar';

let server: ServerManager | undefined;

export interface DlcExtensionApi {
  ctx: Ctx;
  server: ServerManager;
}

export async function activate(context: vscode.ExtensionContext): Promise<DlcExtensionApi> {
  const output = vscode.window.createOutputChannel('dlcontainer');
  const version = (context.extension.packageJSON as { version?: string }).version ?? '0';
  server = new ServerManager(context.extensionPath, output, version);
  const docs = new DocumentStore();
  const status = new StatusBar(server, output);
  const ctx = new Ctx(context, server, output, docs, status);
  const services = new ServiceState();
  context.subscriptions.push(
    output,
    status,
    services,
    vscode.workspace.registerTextDocumentContentProvider(DocScheme, docs),
    ...registerCommands(ctx, services),
    vscode.debug.registerDebugConfigurationProvider(
      DebugType,
      new DlcDebugConfigurationProvider(
        (request, token) => runDebugRequest(ctx, request, token),
        (err) => ctx.showError(err),
        (folder) => pickProcess(ctx, folder),
      ),
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dlcontainer.serverPath')) void server?.restart().catch((err) => ctx.showError(err));
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void status.refresh()),
    vscode.commands.registerCommand('dlcontainer.linkToPath', () =>
      offerPathLink(context, server!.binary(), { explicit: true }).catch((err) => ctx.showError(err)),
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
    status.render();
    void status.refresh();
  }
  void resumePendingOpen(ctx, services);
  output.appendLine(`dlcontainer extension ${version} active in ${folders.map((f) => canonical(f.uri.fsPath)).join(', ') || 'no folder'}`);
  return { ctx, server };
}

export async function deactivate(): Promise<void> {
  await server?.dispose();
  server = undefined;
}
