// workspace/plan, doctor, services/*, ports/list and debug/* through `dlcontainer serve --stdio`, the way
// the VS Code extension calls them: vscode-jsonrpc against the real engine and a container of
// dlc-test/services (Debian's jupyter-notebook, debugpy, gdbserver), every message validated against
// schemas/protocol/. What the server answers is compared with what the CLI prints for the same call.
//   node --test tests/node/services.test.mjs      (DLC_BINARY: the binary; default build/server/dlcontainer)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ProtocolValidator, teeReader, teeWriter, validatorCrashes } from './protocol-schemas.mjs';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const binary = process.env.DLC_BINARY ?? path.join(repo, 'build/server/dlcontainer');
const image = 'dlc-test/services:latest';

function engineMissing() {
  const r = spawnSync(binary, ['list', '--json'], { encoding: 'utf8' });
  if (r.status !== 0) return (r.stderr || r.error?.message || 'dlcontainer list failed').trim();
  const img = spawnSync('docker', ['image', 'inspect', image], { encoding: 'utf8' });
  return img.status === 0 ? null : `${image} is missing: tests/images/build.sh services builds it`;
}

// What the CLI prints as JSON for the same call; `statuses`: the exit statuses that still print it.
function cli(args, statuses = [0]) {
  const r = spawnSync(binary, args, { encoding: 'utf8' });
  assert.ok(statuses.includes(r.status), `dlcontainer ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function makeFolder(files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-node-svc-'));
  const folder = path.join(root, 'paper');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
  }
  return { root, folder };
}

// One GET through 127.0.0.1, redirects not followed.
async function get(url, headers = {}) {
  const res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  return res.status;
}

// Connects to host:port, writes `bytes`, and resolves with what arrives until `done(received)` says so.
function exchange(port, bytes, done, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer on port ${port} within ${ms} ms (got ${JSON.stringify(got.toString())})`));
    }, ms);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (done(got)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got.toString());
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function refused(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (e) => resolve(e.code === 'ECONNREFUSED'));
  });
}

// A DAP message, framed as the adapter expects.
function dap(message) {
  const body = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

// The first response among the DAP messages received so far (events such as `output` may come first).
function dapResponse(buffer) {
  let rest = buffer;
  for (;;) {
    const text = rest.toString('latin1');
    const m = text.match(/Content-Length: (\d+)\r\n\r\n/);
    if (!m) return null;
    const start = m.index + m[0].length;
    const end = start + Number(m[1]);
    if (rest.length < end) return null;
    const message = JSON.parse(rest.subarray(start, end).toString('utf8'));
    if (message.type === 'response') return message;
    rest = rest.subarray(end);
  }
}

test('plan, doctor, services, ports and debuggers through dlcontainer serve --stdio', { timeout: 280_000 }, async (t) => {
  const why = engineMissing();
  if (why) {
    if (process.env.CI === 'true') assert.fail(`CI=true and no engine or test image: ${why}`);
    t.skip(why);
    return;
  }
  const schemas = new ProtocolValidator(path.join(repo, 'schemas/protocol'));
  const small = makeFolder({
    'requirements.txt': 'torch==2.1.0\nnumpy\n',
    'train.py': 'import torch\nprint(torch.__version__)\n',
  });
  const ws = makeFolder({
    '.devcontainer/devcontainer.json': JSON.stringify({ image }),
    'held.py': 'import time\nfor i in range(600):\n    time.sleep(0.5)\n',
  });
  const server = spawn(binary, ['serve', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  const connection = rpc.createMessageConnection(
    teeReader(new rpc.StreamMessageReader(server.stdout), (m) => schemas.validate(m, 'in')),
    teeWriter(new rpc.StreamMessageWriter(server.stdin), (m) => schemas.validate(m, 'out')));
  const progress = new Map(); // token -> values
  const track = (token, onValue) => {
    progress.set(token, []);
    connection.onProgress(new rpc.ProgressType(), token, (value) => {
      progress.get(token).push(value);
      onValue?.(value);
    });
  };
  connection.listen();
  let jupyterPort = 0;

  try {
    await t.test('initialize lists the new methods', async () => {
      const result = await connection.sendRequest('initialize', { processId: process.pid, capabilities: {} });
      for (const m of ['workspace/plan', 'doctor', 'services/jupyter', 'services/tensorboard', 'services/list', 'services/stop',
        'ports/list', 'debug/python', 'debug/gdb']) {
        assert.ok(result.capabilities.methods.includes(m), m);
      }
      await connection.sendNotification('initialized', {});
    });

    await t.test('workspace/plan answers what plan --json prints, with progress', async () => {
      track('plan-1');
      const params = { workspace: small.folder, driver: '535.104.05' };
      const plan = await connection.sendRequest('workspace/plan', { ...params, workDoneToken: 'plan-1' });
      assert.equal(plan.workspace, small.folder);
      assert.equal(plan.plan.mode, 'image');
      assert.equal(plan.plan.gpu, true);
      assert.ok(plan.facts.requirements.some((r) => r.name === 'torch'), JSON.stringify(plan.facts.requirements));
      assert.deepEqual(plan, cli(['plan', small.folder, '--driver', params.driver, '--json']));
      const kinds = progress.get('plan-1').map((v) => v.kind);
      assert.equal(kinds[0], 'begin');
      assert.ok(kinds.includes('report'));
      assert.equal(kinds.at(-1), 'end');
      await assert.rejects(schemas.wrongOnPurpose(() => connection.sendRequest('workspace/plan', { workspace: 'relative' })),
        (e) => e.code === -32602);
      await assert.rejects(connection.sendRequest('workspace/plan', { workspace: path.join(small.root, 'missing') }),
        (e) => e.code === 1002 && e.data.code === 'pathNotFound' && e.data.hint.length > 0);
    });

    await t.test('doctor answers the checks doctor --json prints', async () => {
      const report = await connection.sendRequest('doctor', {});
      assert.equal(typeof report.ok, 'boolean');
      const ids = report.checks.map((c) => c.id);
      assert.ok(ids.includes('docker-running'), ids.join(','));
      // doctor exits 1 where no GPU container can be made (a host without a GPU), and prints the report all the same.
      const printed = cli(['doctor', '--json'], [0, 1]);
      assert.deepEqual(ids, printed.checks.map((c) => c.id));
      assert.equal(report.ok, printed.ok);
    });

    await t.test('services on a workspace without a container say to run up', async () => {
      await assert.rejects(connection.sendRequest('services/jupyter', { workspace: ws.folder }),
        (e) => e.code === 1009 && e.data.code === 'containerNotFound' && /dlcontainer up/.test(e.data.hint));
    });

    await t.test('up the services container', async () => {
      const r = await connection.sendRequest('workspace/up', { workspace: ws.folder });
      assert.equal(r.outcome, 'success');
    });

    await t.test('cancelling a Jupyter start answers -32800 and leaves no Jupyter running', async () => {
      const source = new rpc.CancellationTokenSource();
      track('jupyter-cancel', (v) => {
        if (v.kind === 'report' && /^Starting Jupyter/.test(v.message ?? '')) source.cancel();
      });
      await assert.rejects(
        connection.sendRequest('services/jupyter', { workspace: ws.folder, workDoneToken: 'jupyter-cancel' }, source.token),
        (e) => e instanceof rpc.ResponseError && e.code === -32800);
      const list = await connection.sendRequest('services/list', { workspace: ws.folder });
      assert.deepEqual(list.filter((s) => s.kind === 'jupyter'), []);
      let left = 0;
      for (let i = 0; i < 50; ++i) {
        const r = await connection.sendRequest('workspace/exec', { workspace: ws.folder, command: ['pgrep', '-f', 'jupyter-notebook'] });
        left = r.exitCode === 0 ? r.stdout.trim().split('\n').length : 0;
        if (!left) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(left, 0, 'the cancelled Jupyter was stopped');
    });

    let jupyter;
    await t.test('services/jupyter starts Jupyter, reachable through 127.0.0.1 with its token only', async () => {
      track('jupyter-1');
      jupyter = await connection.sendRequest('services/jupyter', { workspace: ws.folder, workDoneToken: 'jupyter-1' });
      assert.equal(jupyter.kind, 'jupyter');
      assert.equal(jupyter.reused, false);
      assert.equal(jupyter.hostIp, '127.0.0.1');
      assert.equal(jupyter.via, 'forwarded');
      assert.match(jupyter.url, /^http:\/\/127\.0\.0\.1:\d+\/tree\?token=[0-9a-f]{48}$/);
      jupyterPort = jupyter.hostPort;
      assert.ok(progress.get('jupyter-1').some((v) => /^Starting Jupyter/.test(v.message ?? '')));
      const url = new URL(jupyter.url);
      const token = url.searchParams.get('token');
      assert.equal(await get(jupyter.url), 200);
      assert.equal(await get(`${url.origin}/api/status`, { Authorization: `token ${token}` }), 200);
      assert.equal(await get(`${url.origin}/api/status`), 403, 'refused without the token');
      assert.notEqual(await get(`${url.origin}/tree`), 200, 'no notebook page without the token');
      const again = await connection.sendRequest('services/jupyter', { workspace: ws.folder });
      assert.equal(again.reused, true);
      assert.equal(again.url, jupyter.url);
    });

    await t.test('services/list and ports/list show it', async () => {
      const list = await connection.sendRequest('services/list', { workspace: ws.folder });
      const j = list.find((s) => s.kind === 'jupyter');
      assert.ok(j, JSON.stringify(list));
      assert.equal(j.url, jupyter.url);
      const ports = await connection.sendRequest('ports/list', { workspace: ws.folder });
      const row = ports.find((p) => p.containerPort === jupyter.containerPort);
      assert.ok(row, JSON.stringify(ports));
      assert.equal(row.via, 'forwarded');
      assert.equal(row.service, 'jupyter');
      assert.equal(row.hostPort, jupyter.hostPort);
      assert.deepEqual(ports, cli(['ports', ws.folder, '--json']));
    });

    await t.test('services/tensorboard says how to get it when the image has none', async () => {
      await assert.rejects(connection.sendRequest('services/tensorboard', { workspace: ws.folder }),
        (e) => e.code === 1011 && e.data.code === 'commandFailed' && /not installed/.test(e.message) && /--install/.test(e.data.hint));
    });

    await t.test('services/code says how to get code-server, and why it cannot install it without npm', async () => {
      await assert.rejects(connection.sendRequest('services/code', { workspace: ws.folder }),
        (e) => e.code === 1011 && e.data.code === 'commandFailed' && /code-server is not installed/.test(e.message) &&
          /--install/.test(e.data.hint));
      await assert.rejects(connection.sendRequest('services/code', { workspace: ws.folder, install: true }),
        (e) => e.code === 1011 && /no Node\.js and npm/.test(e.message) && /npm install -g/.test(e.data.hint));
      const list = await connection.sendRequest('services/list', { workspace: ws.folder });
      assert.equal(list.filter((x) => x.kind === 'code').length, 0, 'nothing was started');
    });

    await t.test('debug/python answers a launch entry whose port answers a DAP initialize', async () => {
      track('debug-1');
      const s = await connection.sendRequest('debug/python',
        { workspace: ws.folder, command: ['held.py'], wait: true, workDoneToken: 'debug-1' });
      assert.equal(s.kind, 'debugpy');
      assert.equal(s.launch.type, 'debugpy');
      assert.equal(s.launch.request, 'attach');
      assert.equal(s.launch.connect.host, '127.0.0.1');
      assert.equal(s.launch.connect.port, s.hostPort);
      assert.deepEqual(s.launch.pathMappings, [{ localRoot: ws.folder, remoteRoot: '/workspaces/paper' }]);
      const answer = await exchange(s.launch.connect.port,
        dap({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'debugpy', clientID: 'node-test' } }),
        (got) => dapResponse(got) !== null);
      const response = dapResponse(Buffer.from(answer));
      assert.equal(response.type, 'response');
      assert.equal(response.command, 'initialize');
      assert.equal(response.success, true);
      const stopped = await connection.sendRequest('services/stop', { workspace: ws.folder, kind: 'debugpy' });
      assert.equal(stopped.stopped, 1);
      const list = await connection.sendRequest('services/list', { workspace: ws.folder });
      assert.deepEqual(list.map((x) => x.kind), ['jupyter']);
    });

    await t.test('debug/gdb answers a cppdbg entry whose port speaks the remote protocol', async () => {
      const s = await connection.sendRequest('debug/gdb', { workspace: ws.folder, command: ['/bin/sleep', '300'] });
      assert.equal(s.kind, 'gdbserver');
      assert.equal(s.launch.type, 'cppdbg');
      assert.equal(s.launch.miDebuggerServerAddress, `127.0.0.1:${s.hostPort}`);
      const listed = await connection.sendRequest('services/list', { workspace: ws.folder });
      assert.ok(listed.some((x) => x.kind === 'gdbserver' && x.hostPort === s.hostPort), JSON.stringify(listed));
      // "$?#3f": why did the target stop. gdbserver acks with '+' and answers a stop reply ($S.. or $T..).
      const answer = await exchange(s.hostPort, '$?#3f', (got) => /\$[ST][0-9a-f]{2}/.test(got.toString()));
      assert.match(answer, /^\+\$[ST]/);
      await connection.sendRequest('services/stop', { workspace: ws.folder, kind: 'gdbserver' });
      const list = await connection.sendRequest('services/list', { workspace: ws.folder });
      assert.ok(!list.some((x) => x.kind === 'gdbserver'), JSON.stringify(list));
    });

    await t.test('errors keep their code and hint', async () => {
      await assert.rejects(schemas.wrongOnPurpose(() => connection.sendRequest('services/stop', { workspace: ws.folder, kind: 'vim' })),
        (e) => e.code === -32602 && /jupyter/.test(e.message) && e.data.hint.length > 0);
      await assert.rejects(connection.sendRequest('debug/python', { workspace: ws.folder }),
        (e) => e.code === -32602 && e.data.code === 'invalidArgument' && e.data.hint.length > 0);
    });

    await t.test('the forward ends with the server', async () => {
      assert.equal(await get(jupyter.url), 200, 'still served before exit');
      assert.equal(await connection.sendRequest('shutdown'), null);
      await connection.sendNotification('exit');
      assert.equal((await exited).code, 0);
      assert.equal(await refused(jupyterPort), true, `127.0.0.1:${jupyterPort} still accepts after the server ended`);
      const row = cli(['ports', ws.folder, '--json']).find((p) => p.containerPort === jupyter.containerPort);
      assert.equal(row?.via, 'container', 'no record of the forward outlives the server');
    });
  } finally {
    connection.dispose();
    if (server.exitCode === null) server.kill('SIGKILL');
    spawnSync(binary, ['down', '--remove', ws.folder]);
    fs.rmSync(ws.root, { recursive: true, force: true });
    fs.rmSync(small.root, { recursive: true, force: true });
  }

  assert.deepEqual(validatorCrashes(), []);
  assert.deepEqual(schemas.errors, [], 'every message validates against schemas/protocol');
  for (const key of ['in result workspace/plan', 'in result doctor', 'in result services/jupyter', 'in result services/list',
    'in result services/stop', 'in result ports/list', 'in result debug/python', 'in result debug/gdb',
    'in error services/tensorboard', 'in error services/jupyter', 'in error services/code', 'in notification $/progress']) {
    assert.ok(schemas.checked.get(key) > 0, `no ${key} was checked`);
  }
});
