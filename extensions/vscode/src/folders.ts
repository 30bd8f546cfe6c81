// Which folder a command works on. A container belongs to a workspace folder; the server names
// folders by their canonical path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

// Where a folder's devcontainer.json may be, in the order the server looks.
export const devcontainerFiles = ['.devcontainer/devcontainer.json', '.devcontainer.json'];

// Paths as the server writes them: absolute and with symlinks resolved.
export function canonical(folder: string): string {
  try {
    return fs.realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

export function hasDevcontainer(folder: vscode.WorkspaceFolder): boolean {
  return devcontainerFiles.some((rel) => fs.existsSync(path.join(folder.uri.fsPath, rel)));
}

// The folder a command works on: the one given, the only one open, or the one the user picks.
export async function pickFolder(uri?: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
  if (uri) {
    const f = vscode.workspace.getWorkspaceFolder(uri);
    if (f) return f;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('dlcontainer: open a folder first (File > Open Folder); a container belongs to a folder.');
    return undefined;
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFolder = active && vscode.workspace.getWorkspaceFolder(active);
  if (activeFolder) return activeFolder;
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder?' });
}

// The folder of the active editor, else the first one open: the one the status bar speaks of.
export function currentFolderPath(): string | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const f = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  return f ? canonical(f.uri.fsPath) : undefined;
}

export function isOpenFolder(folder: string): boolean {
  const key = canonical(folder);
  return (vscode.workspace.workspaceFolders ?? []).some((f) => canonical(f.uri.fsPath) === key);
}
