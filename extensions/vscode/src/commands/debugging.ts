// Debugging in the container: the server call behind the `dlcontainer` debug type, and the commands
// that start a session (a Python file, or a process picked from the container's).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { DebugRequest } from '../debugConfig';
import { ServiceInfo } from '../protocol';
import { withServerProgress } from '../progress';

export async function runDebugRequest(ctx: Ctx, request: DebugRequest, token: vscode.CancellationToken | undefined): Promise<ServiceInfo> {
  const python = request.method === 'debug/python';
  const client = await ctx.requireMethod(request.method, python ? 'Python debugging' : 'C++ debugging');
  const answer = await withServerProgress(
    python ? 'Starting debugpy in the container' : 'Starting gdbserver in the container',
    (onProgress, progressToken) => {
      const cancel = new vscode.CancellationTokenSource();
      progressToken.onCancellationRequested(() => cancel.cancel());
      token?.onCancellationRequested(() => cancel.cancel());
      const opts = { onProgress, token: cancel.token };
      return request.method === 'debug/python'
        ? client.request('debug/python', request.params, opts)
        : client.request('debug/gdb', request.params, opts);
    },
    ctx.output,
  );
  ctx.showNotes(answer.notes);
  return answer;
}

export async function debugPythonFile(uri?: vscode.Uri): Promise<void> {
  const file = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!file || file.scheme !== 'file' || !file.fsPath.endsWith('.py')) {
    throw new Error('open a Python file (.py) of the workspace first');
  }
  const folder = vscode.workspace.getWorkspaceFolder(file);
  if (!folder) throw new Error(`${file.fsPath} is not in an open folder; a container belongs to a folder`);
  await vscode.debug.startDebugging(folder, {
    type: 'dlcontainer',
    request: 'launch',
    name: `Python in container: ${path.basename(file.fsPath)}`,
    language: 'python',
    program: file.fsPath,
    args: [],
  });
}

export async function attach(ctx: Ctx, language: 'python' | 'cpp'): Promise<void> {
  const folder = await ctx.folder();
  if (!folder) return;
  const pid = await pickProcess(ctx, folder);
  if (pid === undefined) return;
  await vscode.debug.startDebugging(folder, {
    type: 'dlcontainer',
    request: 'attach',
    name: `${language === 'python' ? 'Python' : 'C++'} in container: process ${pid}`,
    language,
    processId: pid,
  });
}

// The container's processes, listed by `ps` through workspace/exec, for the user to choose from.
export async function pickProcess(ctx: Ctx, folder: vscode.WorkspaceFolder): Promise<number | undefined> {
  const client = await ctx.client();
  const res = await client.request('workspace/exec', {
    workspace: folder.uri.fsPath,
    command: ['ps', '-eo', 'pid=,user=,args='],
  });
  if (res.exitCode !== 0) throw new Error(`listing the container's processes failed: ${res.stderr}`.trim());
  const items = res.stdout
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null && !m[3].startsWith('ps -eo'))
    .map((m) => ({ label: m[3], description: `pid ${m[1]} · ${m[2]}`, pid: Number(m[1]) }));
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: 'Attach to which process in the container?',
    matchOnDescription: true,
  });
  return picked?.pid;
}
