// dlcontainer serve --stdio driven the way the VS Code extension will drive it: vscode-jsonrpc over the
// process's stdio, against the real Docker engine, every message in both directions validated against
// schemas/protocol/.
//   node --test tests/node/rpc.test.mjs      (DLC_BINARY: the binary; default build/server/dlcontainer)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ProtocolValidator, teeReader, teeWriter, validatorCrashes } from './protocol-schemas.mjs';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const binary = process.env.DLC_BINARY ?? path.join(repo, 'build/server/dlcontainer');
const image = 'dlc-test/python:latest';

// The engine is there when the CLI can list; without it the test fails under CI=true, else skips.
function engineMissing() {
  const r = spawnSync(binary, ['list', '--json'], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || 'dlcontainer list failed').trim();
}

function makeWorkspace(name, config) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-node-'));
  const folder = path.join(root, name);
  fs.mkdirSync(path.join(folder, '.devcontainer'), { recursive: true });
  if (config) fs.writeFileSync(path.join(folder, '.devcontainer/devcontainer.json'), JSON.stringify(config));
  return { root, folder };
}

// Resolves with the first notification that matches, or rejects after `ms`.
function waitFor(notes, match, ms, what) {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    const poll = setInterval(() => {
      const found = notes.find(match);
      if (found) {
        clearTimeout(deadline);
        clearInterval(poll);
        resolve(found);
      }
    }, 20);
  });
}

test('dlcontainer serve --stdio with vscode-jsonrpc against the real engine', { timeout: 240_000 }, async (t) => {
  const why = engineMissing();
  if (why) {
    if (process.env.CI === 'true') assert.fail(`CI=true and no Docker engine: ${why}`);
    t.skip(`no Docker engine: ${why}`);
    return;
  }
  const schemas = new ProtocolValidator(path.join(repo, 'schemas/protocol'));
  const ws = makeWorkspace('paper', { image });
  const bare = makeWorkspace('bare', { image });  // never brought up
  const server = spawn(binary, ['serve', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));

  const connection = rpc.createMessageConnection(
    teeReader(new rpc.StreamMessageReader(server.stdout), (m) => schemas.validate(m, 'in')),
    teeWriter(new rpc.StreamMessageWriter(server.stdin), (m) => schemas.validate(m, 'out')));
  const notes = [];
  connection.onNotification((method, params) => notes.push({ method, params }));
  connection.onProgress(new rpc.ProgressType(), 'up-1', (value) => notes.push({ method: 'progress up-1', params: value }));
  connection.listen();

  try {
    await t.test('initialize lists the workspace methods and notifications', async () => {
      const result = await connection.sendRequest('initialize', {
        processId: process.pid, clientInfo: { name: 'node-test', version: '1' }, capabilities: {},
      });
      assert.equal(result.serverInfo.name, 'dlcontainer');
      for (const m of ['workspace/up', 'workspace/down', 'workspace/status', 'workspace/list', 'workspace/exec', 'workspace/logs']) {
        assert.ok(result.capabilities.methods.includes(m), m);
      }
      for (const n of ['workspace/output', 'workspace/didChangeStatus', '$/progress', 'window/logMessage']) {
        assert.ok(result.capabilities.notifications.includes(n), n);
      }
      await connection.sendNotification('initialized', {});
    });

    await t.test('status of a workspace without a container is none', async () => {
      const s = await connection.sendRequest('workspace/status', { workspace: ws.folder });
      assert.equal(s.state, 'none');
      assert.equal(s.workspace, ws.folder);
    });

    let containerId;
    await t.test('up creates the container and reports work-done progress', async () => {
      const r = await connection.sendRequest('workspace/up', { workspace: ws.folder, workDoneToken: 'up-1' });
      assert.equal(r.outcome, 'success');
      assert.equal(r.action, 'created');
      assert.equal(r.remoteWorkspaceFolder, '/workspaces/paper');
      containerId = r.containerId;
      const kinds = notes.filter((n) => n.method === 'progress up-1').map((n) => n.params.kind);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds.at(-1), 'end');
      const s = await connection.sendRequest('workspace/status', { workspace: ws.folder });
      assert.equal(s.state, 'running');
      assert.equal(s.containerId, containerId);
      const all = await connection.sendRequest('workspace/list', {});
      assert.ok(all.some((w) => w.containerId === containerId));
      // The engine named in the params (here the local socket), and where the files are: this folder, mounted.
      const named = await connection.sendRequest('workspace/status', { workspace: ws.folder, host: 'unix:///var/run/docker.sock' });
      assert.equal(named.containerId, containerId);
      assert.equal(named.engine, 'unix:///var/run/docker.sock');
      assert.equal(named.location.kind, 'bind');
      assert.equal(r.location.kind, 'bind');
    });

    await t.test('exec collects stdout, stderr and the exit code', async () => {
      const r = await connection.sendRequest('workspace/exec', {
        workspace: ws.folder,
        command: ['python3', '-c', 'import os, sys; print(os.getcwd()); print("to stderr", file=sys.stderr); sys.exit(3)'],
      });
      assert.deepEqual(r, { exitCode: 3, stdout: '/workspaces/paper\n', stderr: 'to stderr\n', truncated: false });
      const fed = await connection.sendRequest('workspace/exec', { workspace: ws.folder, command: ['cat'], input: 'fed to stdin' });
      assert.equal(fed.stdout, 'fed to stdin');
      assert.equal(fed.exitCode, 0);
    });

    await t.test('exec streams output as workspace/output with its token', async () => {
      const r = await connection.sendRequest('workspace/exec', {
        workspace: ws.folder,
        command: ['sh', '-c', 'for i in 1 2 3; do echo "line $i é"; sleep 0.2; done; echo oops >&2'],
        outputToken: 'exec-7',
      });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, '');
      const mine = notes.filter((n) => n.method === 'workspace/output' && n.params.token === 'exec-7');
      assert.ok(mine.length >= 3, `pieces: ${mine.length}`);
      assert.equal(mine.filter((n) => n.params.stream === 'stdout').map((n) => n.params.data).join(''), 'line 1 é\nline 2 é\nline 3 é\n');
      assert.equal(mine.filter((n) => n.params.stream === 'stderr').map((n) => n.params.data).join(''), 'oops\n');
    });

    await t.test('cancelling a long exec answers -32800 and stops the command', async () => {
      const source = new rpc.CancellationTokenSource();
      const pending = connection.sendRequest('workspace/exec', { workspace: ws.folder, command: ['sleep', '299'] }, source.token);
      // Until the sleep runs (the container's own keep-alive loop sleeps too: look for this sleep only).
      let running;
      for (let i = 0; i < 100; i++) {
        running = await connection.sendRequest('workspace/exec', { workspace: ws.folder, command: ['pgrep', '-f', 'sleep 299'] });
        if (running.exitCode === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(running.exitCode, 0, 'the sleep runs before the cancel');
      source.cancel();
      // Uncancelled, the exec would answer exitCode 0 after 299 s, past this test's timeout.
      await assert.rejects(pending, (e) => e instanceof rpc.ResponseError && e.code === -32800);
      const after = await connection.sendRequest('workspace/exec', { workspace: ws.folder, command: ['pgrep', '-f', 'sleep 299'] });
      assert.equal(after.exitCode, 1, 'the sleep is gone from the container');
    });

    await t.test('logs are collected, or streamed while following until cancelled', async () => {
      const r = await connection.sendRequest('workspace/logs', { workspace: ws.folder });
      assert.equal(typeof r.stdout, 'string');
      await assert.rejects(schemas.wrongOnPurpose(() => connection.sendRequest('workspace/logs', { workspace: ws.folder, follow: true })),
        (e) => e.code === -32602 && /outputToken/.test(e.message));
      const source = new rpc.CancellationTokenSource();
      const following = connection.sendRequest('workspace/logs', { workspace: ws.folder, follow: true, outputToken: 'logs-1' }, source.token);
      await new Promise((r) => setTimeout(r, 500));
      source.cancel();
      await assert.rejects(following, (e) => e.code === -32800);
    });

    await t.test('errors carry a code, a message and a hint', async () => {
      await assert.rejects(connection.sendRequest('workspace/exec', { workspace: bare.folder, command: ['true'] }), (e) => {
        assert.equal(e.code, 1009);
        assert.equal(e.data.code, 'containerNotFound');
        assert.match(e.data.hint, /dlcontainer up/);
        return true;
      });
      const wrong = (method, params) => schemas.wrongOnPurpose(() => connection.sendRequest(method, params));
      await assert.rejects(wrong('workspace/status', { workspace: 'relative/path' }), (e) => e.code === -32602);
      await assert.rejects(wrong('workspace/status', { workspace: 42 }), (e) => e.code === -32602);
      await assert.rejects(wrong('workspace/nothing', {}), (e) => e.code === -32601);
      // An engine URL that cannot be used is the caller's error, said with the forms to write.
      await assert.rejects(connection.sendRequest('workspace/status', { workspace: ws.folder, host: 'npipe:////./pipe/x' }), (e) => {
        assert.match(e.message, /npipe/);
        assert.match(e.data.hint, /ssh:\/\//);
        return true;
      });
      // Params are held to the same schemas this test validates with: an unknown or null field, a NUL
      // byte in a path, a relative config are refused, naming what is wrong.
      await assert.rejects(wrong('workspace/status', { workspace: ws.folder, folder: ws.folder }),
        (e) => e.code === -32602 && /params\.folder is not a field/.test(e.message));
      await assert.rejects(wrong('workspace/up', { workspace: ws.folder, config: null }),
        (e) => e.code === -32602 && /params\.config must be a string, not null/.test(e.message));
      await assert.rejects(wrong('workspace/down', { workspace: `${ws.folder}\u0000/x` }), (e) => e.code === -32602);
      await assert.rejects(wrong('workspace/up', { workspace: ws.folder, config: '.devcontainer/devcontainer.json' }),
        (e) => e.code === -32602);
    });

    await t.test('down stops the container and workspace/didChangeStatus says so', async () => {
      const r = await connection.sendRequest('workspace/down', { workspace: ws.folder });
      assert.equal(r.action, 'stopped');
      const note = await waitFor(notes, (n) => n.method === 'workspace/didChangeStatus' && n.params.workspace === ws.folder &&
        n.params.status.state === 'exited', 15_000, 'didChangeStatus to exited');
      assert.equal(note.params.containerId, containerId);
      const s = await connection.sendRequest('workspace/status', { workspace: ws.folder });
      assert.equal(s.state, 'exited');
    });

    await t.test('ide/interpreter brings the workspace up and writes the wrapper; ide/sshConfig says how to turn SSH on', async () => {
      const r = await connection.sendRequest('ide/interpreter', { workspace: ws.folder });
      assert.ok(r.interpreter.startsWith(ws.folder + path.sep), r.interpreter);
      assert.ok(fs.statSync(r.interpreter).mode & 0o100, 'the wrapper is executable');
      const ran = spawnSync(r.interpreter, ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(ran.stdout.trim(), '3', ran.stderr);
      // The container's libraries, copied for the editor's analyser (result.libs, checked against its schema).
      assert.ok(r.libs.paths.some((p) => p.kind === 'stdlib' && fs.existsSync(p.host)), JSON.stringify(r.libs.paths));
      assert.ok(r.libs.files > 0);
      await assert.rejects(schemas.wrongOnPurpose(() => connection.sendRequest('ide/interpreter', { workspace: ws.folder, libsMaxSize: 0 })),
        (e) => e.code === -32602 && /libsMaxSize/.test(e.message));
      await assert.rejects(connection.sendRequest('ide/sshConfig', { workspace: ws.folder }),
        (e) => e.code >= 1000 && typeof e.data.code === 'string' && /ssh/.test(e.data.hint));
      await assert.rejects(schemas.wrongOnPurpose(() => connection.sendRequest('ide/interpreter', { workspace: ws.folder, helpers: ['rel'] })),
        (e) => e.code === -32602);
    });

    await t.test('shutdown then exit ends the server with status 0', async () => {
      assert.equal(await connection.sendRequest('shutdown'), null);
      await connection.sendNotification('exit');
      const { code } = await exited;
      assert.equal(code, 0);
    });
  } finally {
    connection.dispose();
    if (server.exitCode === null) server.kill('SIGKILL');
    spawnSync(binary, ['down', '--remove', ws.folder]);
    fs.rmSync(ws.root, { recursive: true, force: true });
    fs.rmSync(bare.root, { recursive: true, force: true });
  }

  assert.deepEqual(validatorCrashes(), []);
  assert.deepEqual(schemas.errors, [], 'every message validates against schemas/protocol');
  // The suite produced every kind of message the server sends, and each was checked.
  for (const key of ['in result workspace/up', 'in result workspace/exec', 'in result workspace/status', 'in result workspace/list',
    'in result workspace/down', 'in result workspace/logs', 'in result initialize', 'in result shutdown', 'in result ide/interpreter',
    'in error ide/sshConfig',
    'in notification $/progress', 'in notification workspace/output', 'in notification workspace/didChangeStatus',
    'in error workspace/exec', 'in error workspace/status', 'in error workspace/nothing',
    'out notification $/cancelRequest', 'out notification exit']) {
    assert.ok(schemas.checked.get(key) > 0, `no ${key} was checked`);
  }
});
