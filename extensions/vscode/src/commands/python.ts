// The container's Python for the editor: after `up`, the extension asks once per folder (the answer is
// kept in workspaceState) whether to use it; then `ide/interpreter` writes the wrapper and copies the
// container's libraries, and the folder's settings point the Python extension at the wrapper and its
// analyser at the copy. "Stop Using the Container's Python" takes back exactly what was written.
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { canonical } from '../folders';
import { IdeInterpreterResult } from '../protocol';
import { containerPythonSettings, restoreSettings, WrittenSettings, writeContainerSettings } from '../pythonSettings';

const StateKey = 'dlcontainer.containerPython';
export const UseAnswer = "Use the Container's Python";
export const NotNowAnswer = 'Not Now';
export const RefreshAnswer = 'Copy Them Again';

// Per folder: the user's answer, and what was written with the values it replaced.
interface FolderState {
  answer?: 'yes' | 'no';
  settings?: WrittenSettings;
}

function states(ctx: Ctx): Record<string, FolderState> {
  return ctx.extension.workspaceState.get<Record<string, FolderState>>(StateKey) ?? {};
}

async function save(ctx: Ctx, folder: string, state: FolderState): Promise<void> {
  await ctx.extension.workspaceState.update(StateKey, { ...states(ctx), [folder]: state });
}

// After the folder's container is up: asks the first time, then keeps the settings current (another
// image means another copy of its libraries).
export async function offerContainerPython(ctx: Ctx, folder: vscode.WorkspaceFolder): Promise<IdeInterpreterResult | undefined> {
  const key = canonical(folder.uri.fsPath);
  const state = states(ctx)[key] ?? {};
  if (state.answer === 'no') return undefined;
  if (state.answer === undefined) {
    const picked = await vscode.window.showInformationMessage(
      `dlcontainer: use the container's Python for ${folder.name} in VS Code? Run, Debug and Testing then run in the container, and imports resolve from a read-only copy of its libraries.`,
      UseAnswer,
      NotNowAnswer,
    );
    if (picked !== UseAnswer) {
      // Dismissed: asked again next time. "Not Now": not asked again in this workspace.
      if (picked === NotNowAnswer) await save(ctx, key, { ...state, answer: 'no' });
      return undefined;
    }
  }
  return useContainerPython(ctx, folder);
}

// Sets the folder up: `ide/interpreter` (the wrapper and the libraries' copy), then the settings.
export async function useContainerPython(ctx: Ctx, folder: vscode.WorkspaceFolder, refresh = false): Promise<IdeInterpreterResult> {
  const key = canonical(folder.uri.fsPath);
  await ctx.requireMethod('ide/interpreter', "the container's Python");
  const result = await ctx.withProgress(
    refresh ? "Copying the container's libraries again" : "Setting up the container's Python",
    'ide/interpreter',
    { workspace: key, ...(refresh ? { refresh } : {}) },
  );
  const before = states(ctx)[key]?.settings;
  const { record, kept } = writeContainerSettings(folder.uri.fsPath, containerPythonSettings(result), before);
  await save(ctx, key, { answer: 'yes', settings: record });
  ctx.output.appendLine(`container Python for ${key}: ${result.interpreter} (${result.python} ${result.pythonVersion})`);
  for (const p of result.libs?.paths ?? []) ctx.output.appendLine(`  ${p.kind}: ${p.container} -> ${p.host}`);
  for (const k of kept) {
    void vscode.window.showWarningMessage(`dlcontainer: ${k} was changed by hand since dlcontainer set it: left as it is.`);
  }
  const libs = result.libs;
  if (libs?.stale) {
    void vscode.window
      .showWarningMessage(`dlcontainer: ${libs.notes[0] ?? "the copy of the container's libraries is stale"}`, RefreshAnswer)
      .then((picked) => {
        if (picked === RefreshAnswer) void ctx.guarded(() => useContainerPython(ctx, folder, true));
      });
  } else if (libs?.partial) {
    void vscode.window.showWarningMessage(`dlcontainer: ${libs.notes[0]}`);
  }
  void vscode.window.showInformationMessage(
    `dlcontainer: ${folder.name} uses the container's Python ${result.pythonVersion}${libs ? ` with its libraries (${libs.paths.filter((p) => p.kind !== 'workspace').length} folders, read-only)` : ''}.`,
  );
  return result;
}

export async function stopUsingContainerPython(ctx: Ctx, folder: vscode.WorkspaceFolder): Promise<void> {
  const key = canonical(folder.uri.fsPath);
  const state = states(ctx)[key];
  if (!state?.settings) {
    await save(ctx, key, { answer: 'no' });
    void vscode.window.showInformationMessage(`dlcontainer: ${folder.name} does not use the container's Python: nothing to take back.`);
    return;
  }
  const { restored, kept } = restoreSettings(folder.uri.fsPath, state.settings);
  await save(ctx, key, { answer: 'no' });
  const note = kept.length ? ` Changed by hand since, so left as they are: ${kept.join(', ')}.` : '';
  void vscode.window.showInformationMessage(
    `dlcontainer: ${folder.name} no longer uses the container's Python (${restored.length ? `restored ${restored.join(', ')}` : 'nothing to restore'}).${note}`,
  );
}
