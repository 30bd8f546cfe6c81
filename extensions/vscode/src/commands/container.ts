// The container's life: open a folder in it (with the plan shown first for a new one), rebuild it,
// stop it.
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { config, upParams } from '../config';
import { Commands } from '../errors';
import { planSummary } from '../planView';
import { WorkspaceUpResult } from '../protocol';
import { plan } from './inspect';
import { offerContainerPython } from './python';
import { openJupyter, ServiceState } from './services';

const PendingOpenKey = 'dlcontainer.pendingOpen';
// A pending open older than this is stale: the window was reopened for something else since.
const pendingOpenMaxAgeMs = 5 * 60_000;

export async function openInContainer(ctx: Ctx, services: ServiceState, uri?: vscode.Uri): Promise<WorkspaceUpResult | undefined> {
  const folder = await folderForOpen(ctx, uri);
  if (!folder) return undefined;
  const client = await ctx.client();
  const status = await client.request('workspace/status', { workspace: folder.uri.fsPath });
  ctx.status.set(status);
  // A new container is made from a plan: show it with its reasons and ask first. An existing one is
  // just started (or found running).
  if (status.state === 'none' && config.confirmPlan()) {
    if (!(await confirmPlan(ctx, folder))) return undefined;
  }
  ctx.status.setBusy(status.state === 'none' ? 'creating container…' : 'starting container…');
  let result: WorkspaceUpResult;
  try {
    result = await ctx.withProgress(`Opening ${folder.name} in a GPU container`, 'workspace/up', upParams(folder));
  } finally {
    ctx.status.setBusy(undefined);
  }
  await ctx.status.refresh();
  announce(folder, result);
  if (config.openJupyterOnStart()) await openJupyter(ctx, services);
  // The editor's Python support sees the container's Python too, once the user agrees.
  await ctx.guarded(() => offerContainerPython(ctx, folder));
  return result;
}

// "paper is in container X", with the next steps as buttons.
function announce(folder: vscode.WorkspaceFolder, result: WorkspaceUpResult): void {
  // What was not done as devcontainer.json asks (a property dlcontainer does not use, a short host).
  for (const warning of result.warnings ?? []) void vscode.window.showWarningMessage(`dlcontainer: ${warning}`);
  const name = result.containerName || result.containerId.slice(0, 12);
  const actions = ['Open Terminal', 'Open Jupyter'];
  if (result.outOfDate) actions.unshift('Rebuild Container');
  const changed = result.outOfDate ? '; devcontainer.json changed since it was made' : '';
  void vscode.window
    .showInformationMessage(`dlcontainer: ${folder.name} is in container ${name} (${result.action})${changed}.`, ...actions)
    .then((picked) => {
      if (picked === 'Open Terminal') void vscode.commands.executeCommand(Commands.terminal);
      if (picked === 'Open Jupyter') void vscode.commands.executeCommand(Commands.jupyter);
      if (picked === 'Rebuild Container') void vscode.commands.executeCommand(Commands.rebuild);
    });
}

// The folder to open: the one given or open now; with none open, the user picks one and the window
// reopens on it, where activation finishes the job (see resumePendingOpen).
async function folderForOpen(ctx: Ctx, uri?: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
  const open = vscode.workspace.workspaceFolders ?? [];
  let target = uri;
  if (!target && open.length === 0) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Open in GPU Container',
    });
    target = picked?.[0];
    if (!target) return undefined;
  }
  if (target && !vscode.workspace.getWorkspaceFolder(target)) {
    await ctx.extension.globalState.update(PendingOpenKey, { folder: target.toString(), at: Date.now() });
    await vscode.commands.executeCommand('vscode.openFolder', target);
    return undefined;
  }
  return ctx.folder(target);
}

// After "Open Folder in GPU Container" reopened the window on a folder, carry on there.
export async function resumePendingOpen(ctx: Ctx, services: ServiceState): Promise<void> {
  const pending = ctx.extension.globalState.get<{ folder: string; at: number }>(PendingOpenKey);
  if (!pending) return;
  await ctx.extension.globalState.update(PendingOpenKey, undefined);
  if (Date.now() - pending.at > pendingOpenMaxAgeMs) return;
  const uri = vscode.Uri.parse(pending.folder);
  if (vscode.workspace.getWorkspaceFolder(uri)) await ctx.guarded(() => openInContainer(ctx, services, uri));
}

async function confirmPlan(ctx: Ctx, folder: vscode.WorkspaceFolder): Promise<boolean> {
  const detail = planSummary(await plan(ctx, folder));
  const answer = await vscode.window.showInformationMessage(
    `Create a container for ${folder.name}?`,
    { modal: true, detail },
    'Create Container',
  );
  return answer === 'Create Container';
}

export async function rebuild(ctx: Ctx): Promise<void> {
  const folder = await ctx.folder();
  if (!folder) return;
  const ok = await vscode.window.showWarningMessage(
    `Rebuild the container of ${folder.name}?`,
    {
      modal: true,
      detail: 'The container is replaced and its image built again. The folder and named volumes are kept.',
    },
    'Rebuild',
  );
  if (ok !== 'Rebuild') return;
  ctx.status.setBusy('rebuilding…');
  try {
    await ctx.withProgress(`Rebuilding ${folder.name}'s container`, 'workspace/up', upParams(folder, { rebuild: true }));
  } finally {
    ctx.status.setBusy(undefined);
  }
  await ctx.status.refresh();
  void vscode.window.showInformationMessage(`dlcontainer: ${folder.name}'s container was rebuilt.`);
}

export async function stop(ctx: Ctx): Promise<void> {
  const folder = await ctx.folder();
  if (!folder) return;
  const result = await (await ctx.client()).request('workspace/down', { workspace: folder.uri.fsPath });
  await ctx.status.refresh();
  void vscode.window.showInformationMessage(
    result.action === 'none' ? `dlcontainer: ${folder.name} has no running container.` : `dlcontainer: container ${result.action}.`,
  );
}
