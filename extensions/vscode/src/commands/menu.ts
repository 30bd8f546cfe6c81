// The status bar's menu of commands, and the folder's devcontainer.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { Commands } from '../errors';
import { devcontainerFiles } from '../folders';

export async function openConfig(ctx: Ctx): Promise<void> {
  const folder = await ctx.folder();
  if (!folder) return;
  for (const rel of devcontainerFiles) {
    const file = path.join(folder.uri.fsPath, rel);
    if (fs.existsSync(file)) {
      await vscode.window.showTextDocument(vscode.Uri.file(file));
      return;
    }
  }
  throw new Error(`${folder.name} has no .devcontainer/devcontainer.json`);
}

export async function showCommands(): Promise<void> {
  const items: Array<vscode.QuickPickItem & { command: string }> = [
    { label: '$(vm-running) Open Folder in GPU Container', command: Commands.openInContainer },
    { label: '$(notebook) Open Jupyter', command: Commands.jupyter },
    { label: '$(graph-line) Open TensorBoard', command: Commands.tensorboard },
    { label: '$(terminal) Open Terminal in Container', command: Commands.terminal },
    { label: '$(debug-alt) Debug Python File in Container', command: Commands.debugPython },
    { label: '$(debug) Attach to Process in Container (Python)', command: Commands.attachPython },
    { label: '$(debug) Attach to Process in Container (C++)', command: Commands.attachCpp },
    { label: "$(symbol-namespace) Use the Container's Python", command: Commands.useContainerPython },
    { label: '$(remote-explorer) Open a Full Editor in the Container', command: Commands.openFullEditor },
    { label: '$(output) Show Logs', command: Commands.logs },
    { label: '$(list-tree) Show Plan', command: Commands.showPlan },
    { label: '$(pulse) Run Doctor', command: Commands.doctor },
    { label: '$(refresh) Rebuild Container', command: Commands.rebuild },
    { label: '$(debug-stop) Stop Container', command: Commands.stop },
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'dlcontainer' });
  if (picked) await vscode.commands.executeCommand(picked.command);
}
