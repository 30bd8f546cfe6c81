// The extension's settings (package.json's contributes.configuration), read where they are used so
// that a change applies to the next command without a reload.
import * as vscode from 'vscode';
import { ParamsOf } from './client';

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('dlcontainer');
}

export const config = {
  serverPath: (): string => settings().get<string>('serverPath', ''),
  confirmPlan: (): boolean => settings().get<boolean>('confirmPlan', true),
  openJupyterOnStart: (): boolean => settings().get<boolean>('openJupyterOnStart', false),
  jupyterLab: (): boolean => settings().get<boolean>('jupyterLab', false),
  tensorboardLogdir: (): string => settings().get<string>('tensorboardLogdir', '').trim(),
};

type UpParams = ParamsOf<'workspace/up'>;
type GpuAttach = NonNullable<UpParams['gpuAttach']>;

// workspace/up's params for a folder: the GPU and mount settings, then what the command adds.
export function upParams(folder: vscode.WorkspaceFolder, extra: Partial<UpParams> = {}): UpParams {
  const params: UpParams = { workspace: folder.uri.fsPath, ...extra };
  const gpus = settings().get<string>('gpus', '').trim();
  if (gpus) params.gpus = gpus;
  // package.json's enum keeps the setting to the schema's values; a hand-edited other one goes to the
  // server as it is, which refuses it by name.
  const attach = settings().get<string>('gpuAttach', '').trim();
  if (attach) params.gpuAttach = attach as GpuAttach;
  const mounts = settings().get<string[]>('mounts', []);
  if (mounts.length) params.mounts = mounts;
  return params;
}
