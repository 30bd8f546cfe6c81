// The extension's connection (src/client.ts) against a real `dlcontainer serve --stdio` and the real
// Docker engine: the handshake, errors with their hints, progress, streamed output, cancellation that
// stops the work in the container, engine events as notifications, and a clean shutdown.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { DidChangeStatusParams, DlcClient, Method, ProgressValue } from '../../src/client';
import { describeError, RequestCancelled } from '../../src/errors';
import { requireServer, serverBinary, tempWorkspace, TempWorkspace, until } from '../support/server';

async function start(): Promise<DlcClient> {
  return DlcClient.start({ binary: serverBinary(), clientName: 'node-test', onStderr: () => undefined });
}

describe('without the engine', () => {
  test('initialize names the server and lists every method the extension calls; shutdown ends the process', async (t) => {
    if (!requireServer(t, false)) return;
    const client = await start();
    assert.equal(client.initializeResult.serverInfo?.name, 'dlcontainer');
    // Typed as the protocol's methods: a name that is not one does not compile.
    const called: Method[] = [
      'workspace/up', 'workspace/down', 'workspace/status', 'workspace/list', 'workspace/exec', 'workspace/logs',
      'workspace/plan', 'doctor', 'services/jupyter', 'services/tensorboard', 'services/list', 'ports/list',
      'debug/python', 'debug/gdb',
    ];
    for (const m of called) assert.ok(client.supports(m), `${m} listed`);
    assert.equal(client.supports('workspace/nonsense'), false);
    const exited = new Promise<{ code: number | null; expected: boolean }>((r) => client.onExit(r));
    await client.stop();
    const { code, expected } = await exited;
    assert.equal(code, 0);
    assert.equal(expected, true);
    assert.equal(client.running, false);
  });

  test('a folder that does not exist is an error with a hint, shown with it', async (t) => {
    if (!requireServer(t, false)) return;
    const client = await start();
    t.after(() => client.stop());
    const err = await client.request('workspace/status', { workspace: '/nonexistent/paper' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ResponseError, `a ResponseError, not ${String(err)}`);
    const view = describeError(err);
    assert.equal(view.kind, 'pathNotFound');
    assert.match(view.message, /\/nonexistent\/paper/);
    assert.ok(view.hint && view.hint.length > 0, 'the server sent a hint');
    assert.equal(view.cancelled, false);
  });

  test('a relative folder is invalid params (-32602), not a guess', async (t) => {
    if (!requireServer(t, false)) return;
    const client = await start();
    t.after(() => client.stop());
    const err = (await client.request('workspace/status', { workspace: 'paper' }).catch((e: unknown) => e)) as ResponseError<unknown>;
    assert.ok(err instanceof ResponseError);
    assert.equal(err.code, -32602);
    assert.ok(describeError(err).hint);
  });
});

describe('with the engine', { concurrency: false }, () => {
  let client: DlcClient;
  let ws: TempWorkspace;
  const changes: DidChangeStatusParams[] = [];

  before(async () => {
    ws = tempWorkspace({ image: 'dlc-test/python:latest', remoteUser: 'dev' }, 'paper');
  });
  after(async () => {
    await client?.stop();
    ws.remove();
  });

  test('up reports progress for its workDoneToken and returns the container', async (t) => {
    if (!requireServer(t)) return;
    client = await start();
    client.onDidChangeStatus((c) => changes.push(c));
    const before = await client.request('workspace/status', { workspace: ws.folder });
    assert.equal(before.state, 'none');

    const progress: ProgressValue[] = [];
    const up = await client.request('workspace/up', { workspace: ws.folder }, { onProgress: (v) => progress.push(v) });
    assert.equal(up.outcome, 'success');
    assert.equal(up.action, 'created');
    assert.equal(up.remoteUser, 'dev');
    assert.equal(progress[0]?.kind, 'begin');
    assert.equal(progress.at(-1)?.kind, 'end');
    assert.ok(progress.some((p) => p.kind === 'report' && p.message), 'at least one step reported');
    const cs = ws.containers();
    assert.equal(cs.length, 1);
    assert.equal(cs[0].state, 'running');
    assert.ok(up.containerId?.startsWith(cs[0].id), 'the id the engine lists');

    const status = await client.request('workspace/status', { workspace: ws.folder });
    assert.equal(status.state, 'running');
    // The engine's start event reached the client as a notification, without polling.
    await until('didChangeStatus for the start', () => changes.some((c) => c.workspace === ws.folder && c.status.state === 'running'));
  });

  test('exec collects output and exit status; streamed output arrives by its token', async (t) => {
    if (!requireServer(t)) return;
    const collected = await client.request('workspace/exec', {
      workspace: ws.folder,
      command: ['sh', '-c', 'id -un; pwd; echo oops >&2; exit 3'],
    });
    assert.equal(collected.exitCode, 3);
    assert.equal(collected.stdout, `dev\n/workspaces/paper\n`);
    assert.equal(collected.stderr, 'oops\n');

    const chunks: Array<[string, string]> = [];
    const streamed = await client.requestStreaming(
      'workspace/exec',
      { workspace: ws.folder, command: ['sh', '-c', 'echo one; sleep 0.2; echo two >&2'] },
      (data, stream) => chunks.push([stream, data]),
    );
    assert.equal(streamed.exitCode, 0);
    assert.equal(streamed.stdout, '', 'streamed output is not also collected');
    assert.equal(chunks.filter(([s]) => s === 'stdout').map(([, d]) => d).join(''), 'one\n');
    assert.equal(chunks.filter(([s]) => s === 'stderr').map(([, d]) => d).join(''), 'two\n');
  });

  test('cancelling a request sends $/cancelRequest and stops the command in the container', async (t) => {
    if (!requireServer(t)) return;
    const cancel = new CancellationTokenSource();
    const started = Date.now();
    const pending = client.request(
      'workspace/exec',
      { workspace: ws.folder, command: ['sleep', '117'] },
      { token: cancel.token },
    );
    // Let the command start before cancelling it.
    await until('sleep 117 to run', () => {
      const ps = execFileSync('docker', ['exec', ws.containers()[0].id, 'ps', '-eo', 'args'], { encoding: 'utf8' });
      return ps.includes('sleep 117');
    });
    cancel.cancel();
    const err = (await pending.catch((e: unknown) => e)) as ResponseError<unknown>;
    assert.ok(err instanceof ResponseError, 'the request fails');
    assert.equal(err.code, RequestCancelled);
    assert.equal(describeError(err).cancelled, true);
    assert.ok(Date.now() - started < 30_000, 'cancelled long before the command would end');
    await until('sleep 117 to be gone', () => {
      const ps = execFileSync('docker', ['exec', ws.containers()[0].id, 'ps', '-eo', 'args'], { encoding: 'utf8' });
      return !ps.includes('sleep 117');
    });
  });

  test('a container stopped behind the editor\'s back is reported by workspace/didChangeStatus', async (t) => {
    if (!requireServer(t)) return;
    const seen = changes.length;
    execFileSync('docker', ['stop', '-t', '1', ws.containers()[0].id], { stdio: 'ignore' });
    await until(
      'didChangeStatus saying the container stopped',
      () => changes.slice(seen).some((c) => c.workspace === ws.folder && c.status.state === 'exited'),
      20_000,
    );
    const status = await client.request('workspace/status', { workspace: ws.folder });
    assert.equal(status.state, 'exited');
  });

  test('up starts the stopped container again; down --remove removes it', async (t) => {
    if (!requireServer(t)) return;
    const up = await client.request('workspace/up', { workspace: ws.folder });
    assert.equal(up.action, 'started');
    const down = await client.request('workspace/down', { workspace: ws.folder, remove: true });
    assert.equal(down.action, 'removed');
    assert.equal(ws.containers().length, 0);
  });
});
