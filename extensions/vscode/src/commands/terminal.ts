// The container from the inside: a terminal in it, and its logs followed into an output channel.
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { describeError, DlcError } from '../errors';

// A terminal in the container. The protocol's workspace/exec takes all of stdin at once, so an
// interactive shell runs through the same binary's `exec`, which carries keystrokes, window size
// and signals over the engine's attach stream (a pseudoterminal over the protocol needs streamed
// stdin from the server first).
export async function openTerminal(ctx: Ctx): Promise<vscode.Terminal | undefined> {
  const folder = await ctx.folder();
  if (!folder) return undefined;
  const client = await ctx.client();
  const status = await client.request('workspace/status', { workspace: folder.uri.fsPath });
  if (status.state !== 'running') {
    throw new DlcError(`${folder.name}'s container is not running (${status.state})`, 'containerNotRunning',
      'run "Open Folder in GPU Container" first');
  }
  const terminal = vscode.window.createTerminal({
    name: `Container: ${folder.name}`,
    shellPath: ctx.server.binary().path,
    shellArgs: ['exec', '-w', folder.uri.fsPath, '--', '/bin/sh', '-c', 'if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi'],
    cwd: folder.uri,
    iconPath: new vscode.ThemeIcon('vm-running'),
  });
  terminal.show();
  return terminal;
}

// The container's logs in an output channel of their own, followed until the container stops, the
// window closes, or the next Show Logs replaces them.
export class Logs implements vscode.Disposable {
  private follow: vscode.CancellationTokenSource | undefined;
  private channel: vscode.OutputChannel | undefined;

  constructor(private readonly ctx: Ctx) {}

  async show(): Promise<void> {
    const folder = await this.ctx.folder();
    if (!folder) return;
    const client = await this.ctx.client();
    const channel = this.outputChannel();
    channel.clear();
    channel.show(true);
    this.follow?.cancel();
    const follow = new vscode.CancellationTokenSource();
    this.follow = follow;
    try {
      await client.requestStreaming(
        'workspace/logs',
        { workspace: folder.uri.fsPath, follow: true, tail: 1000 },
        (text) => channel.append(text),
        { token: follow.token },
      );
      channel.appendLine('[the container stopped: end of its logs]');
    } catch (err) {
      if (!describeError(err).cancelled) throw err;
      channel.appendLine('[stopped following]');
    } finally {
      if (this.follow === follow) this.follow = undefined;
    }
  }

  private outputChannel(): vscode.OutputChannel {
    this.channel ??= vscode.window.createOutputChannel('dlcontainer: container logs');
    return this.channel;
  }

  dispose(): void {
    this.channel?.dispose();
  }
}
