// Every command, registered in one table (vscode-python's command modules): each entry calls one
// module's function; what it throws is shown by ctx.guarded.
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { Commands } from '../errors';
import { openInContainer, rebuild, stop } from './container';
import { attach, debugPythonFile, pickProcess } from './debugging';
import { doctor, showPlan } from './inspect';
import { openConfig, showCommands } from './menu';
import { stopUsingContainerPython, useContainerPython } from './python';
import { connectRemoteSsh, openCodeServer, openFullEditor, reopenInDevContainer } from './remote';
import { openJupyter, openTensorBoard, ServiceState } from './services';
import { Logs, openTerminal } from './terminal';

// For launch.json: "processId": "${command:dlcontainer.pickContainerProcess}".
export const PickContainerProcess = 'dlcontainer.pickContainerProcess';

async function withFolder(ctx: Ctx, fn: (folder: vscode.WorkspaceFolder) => Promise<unknown>): Promise<unknown> {
  const folder = await ctx.folder();
  return folder ? fn(folder) : undefined;
}

// `services` holds the Jupyter servers this window started; the caller owns it (and disposes it).
export function registerCommands(ctx: Ctx, services: ServiceState): vscode.Disposable[] {
  const logs = new Logs(ctx);
  const reg = <A extends unknown[]>(id: string, fn: (...args: A) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, (...args: A) => ctx.guarded(() => fn(...args)));
  return [
    logs,
    reg(Commands.openInContainer, (uri?: vscode.Uri) => openInContainer(ctx, services, uri)),
    reg(Commands.rebuild, () => rebuild(ctx)),
    reg(Commands.stop, () => stop(ctx)),
    reg(Commands.showPlan, () => showPlan(ctx)),
    reg(Commands.doctor, () => doctor(ctx)),
    reg(Commands.jupyter, () => openJupyter(ctx, services)),
    reg(Commands.tensorboard, () => openTensorBoard(ctx)),
    reg(Commands.debugPython, (uri?: vscode.Uri) => debugPythonFile(uri)),
    reg(Commands.attachPython, () => attach(ctx, 'python')),
    reg(Commands.attachCpp, () => attach(ctx, 'cpp')),
    reg(Commands.terminal, () => openTerminal(ctx)),
    reg(Commands.logs, () => logs.show()),
    reg(Commands.useContainerPython, () => withFolder(ctx, (f) => useContainerPython(ctx, f))),
    reg(Commands.stopUsingContainerPython, () => withFolder(ctx, (f) => stopUsingContainerPython(ctx, f))),
    reg(Commands.refreshLibraries, () => withFolder(ctx, (f) => useContainerPython(ctx, f, true))),
    reg(Commands.openFullEditor, () => openFullEditor(ctx)),
    reg(Commands.reopenInDevContainer, () => reopenInDevContainer(ctx)),
    reg(Commands.connectRemoteSsh, () => connectRemoteSsh(ctx)),
    reg(Commands.openCodeServer, () => openCodeServer(ctx)),
    reg(Commands.showCommands, () => showCommands()),
    reg(Commands.openConfig, () => openConfig(ctx)),
    reg(Commands.restartServer, async () => {
      await ctx.server.restart();
      void vscode.window.showInformationMessage('dlcontainer: server restarted.');
    }),
    vscode.commands.registerCommand(Commands.showOutput, () => ctx.output.show(true)),
    // Not guarded: VS Code substitutes what it returns, and shows what it throws.
    vscode.commands.registerCommand(PickContainerProcess, async () => {
      const f = await ctx.folder();
      return f ? pickProcess(ctx, f) : undefined;
    }),
  ];
}
