// How an error from the server (or from starting it) is shown: its message, its hint, and a button for
// the fix where one exists. The server decides what went wrong and what to do; the extension only maps
// the kind of error to one of its own commands.
import { ResponseError } from 'vscode-jsonrpc/node';
import { BinaryNotFoundError } from './binary';
import { ErrorData } from './protocol';

// JSON-RPC's code for a request the client cancelled ($/cancelRequest).
export const RequestCancelled = -32800;

export interface FixAction {
  title: string;
  command: string;
  args?: unknown[];
}

export interface ErrorView {
  message: string;
  hint?: string;
  kind?: string; // the server's error code name (engineUnavailable, ...), when it said
  actions: FixAction[];
  cancelled: boolean;
}

export const Commands = {
  openInContainer: 'dlcontainer.openInContainer',
  rebuild: 'dlcontainer.rebuild',
  stop: 'dlcontainer.stop',
  showPlan: 'dlcontainer.showPlan',
  doctor: 'dlcontainer.doctor',
  jupyter: 'dlcontainer.openJupyter',
  tensorboard: 'dlcontainer.openTensorBoard',
  debugPython: 'dlcontainer.debugPythonFile',
  attachPython: 'dlcontainer.attachPython',
  attachCpp: 'dlcontainer.attachCpp',
  terminal: 'dlcontainer.openTerminal',
  logs: 'dlcontainer.showLogs',
  showCommands: 'dlcontainer.showCommands',
  showOutput: 'dlcontainer.showOutput',
  openConfig: 'dlcontainer.openConfig',
  restartServer: 'dlcontainer.restartServer',
  useContainerPython: 'dlcontainer.useContainerPython',
  stopUsingContainerPython: 'dlcontainer.stopUsingContainerPython',
  refreshLibraries: 'dlcontainer.refreshContainerLibraries',
  openFullEditor: 'dlcontainer.openFullEditor',
  reopenInDevContainer: 'dlcontainer.reopenInDevContainer',
  connectRemoteSsh: 'dlcontainer.connectRemoteSsh',
  openCodeServer: 'dlcontainer.openCodeServer',
} as const;

const runDoctor: FixAction = { title: 'Run Doctor', command: Commands.doctor };
const fixes: Record<string, FixAction[]> = {
  engineUnavailable: [runDoctor],
  enginePermission: [runDoctor],
  gpuUnavailable: [runDoctor],
  driverTooOld: [runDoctor],
  configInvalid: [{ title: 'Open devcontainer.json', command: Commands.openConfig }],
  containerNotFound: [{ title: 'Open Folder in GPU Container', command: Commands.openInContainer }],
  containerNotRunning: [{ title: 'Open Folder in GPU Container', command: Commands.openInContainer }],
  buildFailed: [{ title: 'Show Output', command: Commands.showOutput }],
  commandFailed: [{ title: 'Show Output', command: Commands.showOutput }],
};

// The dlc::ErrorCode name the server put in the error's data (common.json's ErrorData).
function errorKind(data: ErrorData | undefined): string | undefined {
  return data && typeof data === 'object' && typeof data.code === 'string' ? data.code : undefined;
}

// An error the extension itself finds, in the server's terms (kind = a dlc::ErrorCode name), so it
// gets the same hint and fix button as the server's own.
export class DlcError extends Error {
  constructor(
    message: string,
    readonly kind: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export function describeError(err: unknown): ErrorView {
  if (err instanceof DlcError) {
    return { message: err.message, hint: err.hint, kind: err.kind, actions: fixes[err.kind] ?? [], cancelled: false };
  }
  if (err instanceof ResponseError) {
    const data = err.data as ErrorData | undefined;
    const kind = errorKind(data);
    return {
      message: err.message,
      hint: typeof data?.hint === 'string' && data.hint ? data.hint : undefined,
      kind,
      actions: (kind && fixes[kind]) || [],
      cancelled: err.code === RequestCancelled || kind === 'cancelled',
    };
  }
  if (err instanceof BinaryNotFoundError) {
    return {
      message: err.message,
      hint: err.hint,
      kind: 'binaryNotFound',
      actions: [{ title: 'Open Settings', command: 'workbench.action.openSettings', args: ['dlcontainer.serverPath'] }],
      cancelled: false,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message, actions: [], cancelled: false };
}

// One line for a notification: "what happened. Hint: what to do".
export function notificationText(view: ErrorView): string {
  return view.hint ? `${view.message}. Hint: ${view.hint}` : view.message;
}
