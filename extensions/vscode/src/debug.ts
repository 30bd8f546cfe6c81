// The `dlcontainer` debug type: a launch.json entry of that type is resolved, through the server, into
// the configuration that VS Code's Python (debugpy) or C/C++ (cppdbg) debugger runs.
import * as vscode from 'vscode';
import { attachConfiguration, debugRequest, DebugRequest, DlcDebugConfiguration } from './debugConfig';
import { ServiceInfo } from './protocol';

export const DebugType = 'dlcontainer';

export type DebugRunner = (
  request: DebugRequest,
  token: vscode.CancellationToken | undefined,
) => Promise<ServiceInfo>;

export class DlcDebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly run: DebugRunner,
    private readonly showError: (err: unknown) => void,
    // Asks the user for a process in the container; undefined when they dismissed the list.
    private readonly pickProcess: (folder: vscode.WorkspaceFolder) => Promise<number | undefined>,
  ) {}

  // The entries "Add Configuration..." offers when launch.json is created.
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      {
        type: DebugType,
        request: 'launch',
        name: 'Python in container: current file',
        language: 'python',
        program: '${file}',
        args: [],
      },
      {
        type: DebugType,
        request: 'attach',
        name: 'Python in container: attach to process',
        language: 'python',
        processId: '${command:dlcontainer.pickContainerProcess}',
      },
    ];
  }

  // The server is asked here, in the first hook, so that the configuration it returns (of type debugpy
  // or cppdbg) is resolved again by that type's own provider, which fills in its defaults.
  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
    token?: vscode.CancellationToken,
  ): Promise<vscode.DebugConfiguration | undefined> {
    // F5 without a launch.json: nothing to resolve here; VS Code offers its own choices.
    if (!config.type && !config.request) return config;
    const ws = folder ?? vscode.workspace.workspaceFolders?.[0];
    try {
      if (!ws) throw new Error('open the folder of the workspace first: a container belongs to a folder');
      const dlc = substitute(config, ws) as DlcDebugConfiguration;
      // ${command:...} is substituted only after this hook, so the process list is asked for here.
      if (dlc.request === 'attach' && !/^\d+$/.test(String(dlc.processId ?? ''))) {
        const pid = await this.pickProcess(ws);
        if (pid === undefined) return undefined;
        dlc.processId = pid;
      }
      const answer = await this.run(debugRequest(dlc, ws.uri.fsPath), token);
      return attachConfiguration(answer, dlc) as vscode.DebugConfiguration;
    } catch (err) {
      this.showError(err);
      return undefined; // aborts the launch
    }
  }
}

// The few variables a dlcontainer entry uses, substituted before the server sees the paths.
function substitute(config: vscode.DebugConfiguration, folder: vscode.WorkspaceFolder): vscode.DebugConfiguration {
  const file = vscode.window.activeTextEditor?.document.uri.fsPath ?? '';
  const vars: Record<string, string> = {
    workspaceFolder: folder.uri.fsPath,
    workspaceFolderBasename: folder.name,
    file,
    fileDirname: file ? file.replace(/\/[^/]*$/, '') : '',
    relativeFile: file.startsWith(folder.uri.fsPath + '/') ? file.slice(folder.uri.fsPath.length + 1) : file,
  };
  const sub = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.replace(/\$\{(\w+)\}/g, (m, name: string) => (name in vars ? vars[name] : m))
      : Array.isArray(v)
        ? v.map(sub)
        : v;
  const out: vscode.DebugConfiguration = { ...config };
  for (const key of ['program', 'args', 'processId']) if (key in out) out[key] = sub(out[key]);
  return out;
}
