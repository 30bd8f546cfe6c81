// Web services in the container (Jupyter, TensorBoard; code-server in remote.ts): started by the server, opened in the
// browser, and the Jupyter server offered to the Jupyter extension.
import * as vscode from 'vscode';
import { ParamsOf } from '../client';
import { config } from '../config';
import { Ctx } from '../context';
import { describeError, DlcError } from '../errors';
import { canonical } from '../folders';
import { offerToJupyterExtension, openServiceUrl } from '../jupyter';
import { ServiceInfo } from '../protocol';

// The Jupyter servers started in this window, by folder, and their registration with the Jupyter
// extension (made once, read each time that extension asks).
export class ServiceState implements vscode.Disposable {
  readonly jupyterServers = new Map<string, ServiceInfo>();
  readonly jupyterRegistration: { collection?: vscode.Disposable } = {};
  dispose(): void {
    this.jupyterRegistration.collection?.dispose();
  }
}

type ServiceMethod = 'services/jupyter' | 'services/tensorboard' | 'services/code';

// Starts a web service and answers it. When the container lacks it, the server says so; the user is
// asked before it is installed (the request again, with install: true).
export async function startService<M extends ServiceMethod>(ctx: Ctx, label: string, method: M, params: ParamsOf<M>): Promise<ServiceInfo> {
  try {
    return await ctx.withProgress(`Starting ${label} in the container`, method, params);
  } catch (err) {
    const view = describeError(err);
    if (view.kind !== 'commandFailed' || !/is not installed/.test(view.message)) throw err;
    const answer = await vscode.window.showWarningMessage(
      `${view.message}. Install it now?`,
      { modal: true, detail: view.hint },
      'Install',
    );
    if (answer !== 'Install') throw new DlcError(view.message, 'commandFailed', view.hint);
    return ctx.withProgress(`Installing and starting ${label}`, method, { ...params, install: true });
  }
}

// Starts the `label` service (asking to install it when missing), says where it is, and opens it in
// the browser.
async function startAndOpen<M extends ServiceMethod>(ctx: Ctx, label: string, method: M, params: ParamsOf<M>): Promise<ServiceInfo> {
  await ctx.requireMethod(method, label);
  const info = await startService(ctx, label, method, params);
  ctx.output.appendLine(`${label}: ${info.url}`);
  ctx.showNotes(info.notes);
  await openServiceUrl(info);
  return info;
}

export async function openJupyter(ctx: Ctx, state: ServiceState): Promise<ServiceInfo | undefined> {
  const folder = await ctx.folder();
  if (!folder) return undefined;
  const lab = config.jupyterLab();
  const info = await startAndOpen(ctx, 'Jupyter', 'services/jupyter', { workspace: folder.uri.fsPath, ...(lab ? { lab } : {}) });
  state.jupyterServers.set(canonical(folder.uri.fsPath), info);
  if (await offerToJupyterExtension(() => [...state.jupyterServers.values()], state.jupyterRegistration)) {
    void vscode.window.showInformationMessage(
      'dlcontainer: the container\'s Jupyter server is offered to the Jupyter extension: choose "dlcontainer" when you select a kernel.',
    );
  }
  return info;
}

export async function openTensorBoard(ctx: Ctx): Promise<ServiceInfo | undefined> {
  const folder = await ctx.folder();
  if (!folder) return undefined;
  const logdir = config.tensorboardLogdir();
  return startAndOpen(ctx, 'TensorBoard', 'services/tensorboard', { workspace: folder.uri.fsPath, ...(logdir ? { logdir } : {}) });
}
