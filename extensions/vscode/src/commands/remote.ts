// "Open a Full Editor in the Container": Dev Containers, Remote-SSH or code-server, as available.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { canonical } from '../folders';
import { openServiceUrl } from '../jupyter';
import { ServiceInfo } from '../protocol';
import { DevContainersId, EditorWay, editorWays, includeLine, remoteSshUri, RemoteSshId, withInclude } from '../remoteEditor';
import { startService } from './services';

const installed = (id: string) => vscode.extensions.getExtension(id) !== undefined;

export async function openFullEditor(ctx: Ctx): Promise<void> {
  const ways = editorWays(installed);
  const picked = (await vscode.window.showQuickPick(
    ways.map((w) => ({ label: w.label, detail: w.detail, way: w.way })),
    { placeHolder: 'Open a full editor in the container' },
  )) as { way: EditorWay } | undefined;
  if (!picked) return;
  if (picked.way === 'devContainers') await reopenInDevContainer(ctx);
  else if (picked.way === 'remoteSsh') await connectRemoteSsh(ctx);
  else await openCodeServer(ctx);
}

function missing(id: string, what: string): void {
  void vscode.window.showErrorMessage(`dlcontainer: ${what} needs the extension ${id}; install it, or use VS Code in the Browser (code-server).`);
}

// Dev Containers finds the running container by its labels (devcontainer.local_folder and
// devcontainer.config_file, which dlcontainer sets) and attaches to it rather than making another.
export async function reopenInDevContainer(ctx: Ctx): Promise<void> {
  if (!installed(DevContainersId)) return missing(DevContainersId, 'Reopen in Container');
  const folder = await ctx.folder();
  if (!folder) return;
  await ctx.withProgress(`Starting ${folder.name}'s container`, 'workspace/up', { workspace: canonical(folder.uri.fsPath) });
  await vscode.commands.executeCommand('remote-containers.reopenInContainer');
}

export async function connectRemoteSsh(ctx: Ctx): Promise<void> {
  if (!installed(RemoteSshId)) return missing(RemoteSshId, 'Connect through Remote-SSH');
  const folder = await ctx.folder();
  if (!folder) return;
  await ctx.requireMethod('ide/sshConfig', 'SSH into the container');
  const ssh = await ctx.withProgress('Starting SSH in the container', 'ide/sshConfig', { workspace: canonical(folder.uri.fsPath) });
  const status = await (await ctx.client()).request('workspace/status', { workspace: canonical(folder.uri.fsPath) });
  const userConfig = path.join(os.homedir(), '.ssh', 'config');
  const line = includeLine(ssh.configFile);
  const text = fs.existsSync(userConfig) ? fs.readFileSync(userConfig, 'utf8') : '';
  const updated = withInclude(text, line);
  if (updated !== text) {
    const answer = await vscode.window.showInformationMessage(
      `Remote-SSH reads ~/.ssh/config: add "${line}" at its top, so that it knows ${ssh.host}?`,
      { modal: true, detail: 'Nothing else in the file changes.' },
      'Add Include',
    );
    if (answer !== 'Add Include') return;
    fs.mkdirSync(path.dirname(userConfig), { recursive: true, mode: 0o700 });
    fs.writeFileSync(userConfig, updated, { mode: 0o600 });
  }
  const remoteFolder = status.remoteWorkspaceFolder || `/workspaces/${folder.name}`;
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(remoteSshUri(ssh.host, remoteFolder)), { forceNewWindow: true });
}

export async function openCodeServer(ctx: Ctx): Promise<ServiceInfo | undefined> {
  const folder = await ctx.folder();
  if (!folder) return undefined;
  await ctx.requireMethod('services/code', 'code-server');
  const info = await startService(ctx, 'code-server', 'services/code', { workspace: canonical(folder.uri.fsPath) });
  ctx.output.appendLine(`code-server: ${info.url}`);
  ctx.showNotes(info.notes);
  if (info.token) await vscode.env.clipboard.writeText(info.token);
  await openServiceUrl(info);
  void vscode.window.showInformationMessage(
    'dlcontainer: code-server opened in the browser; its password is on the clipboard (paste it on its login page).',
  );
  return info;
}
