// Jupyter and the debugger through the extension, against the real server and engine: the URL the
// extension opens serves Jupyter (and refuses without its token); the debug configuration it hands to
// VS Code's Python debugger reaches a debugpy that answers the Debug Adapter Protocol.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as vscode from 'vscode';
import { DlcDebugConfigurationProvider } from '../../src/debug';
import { activate, deactivate } from '../../src/extension';
import { mock, openFolders } from '../mocks/vscode';
import { fakeContext } from '../support/context';
import { requireServer, serverBinary, tempWorkspace, TempWorkspace } from '../support/server';

// A Dockerfile of its own on the unit tests' image (test/images/build.sh, which ci.sh runs): Debian's
// Jupyter, which brings debugpy along. (Not the end-to-end test's Dockerfile: its image, torch with
// Jupyter, is built only for that test, so a fresh machine's suite would find it missing.)
const dockerfile = 'FROM dlc-test/vscode-jupyter:latest\n';

// One DAP request over TCP: Content-Length framed JSON, the first response back.
function dapInitialize(host: string, port: number): Promise<{ success?: boolean; command?: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no DAP answer in 20 s'));
    }, 20_000);
    let buf = Buffer.alloc(0);
    sock.on('connect', () => {
      const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'debugpy', clientID: 'dlc-test' } });
      sock.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const head = buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())?.[1]);
        if (buf.length < head + 4 + len) return;
        const msg = JSON.parse(buf.subarray(head + 4, head + 4 + len).toString());
        buf = buf.subarray(head + 4 + len);
        if (msg.type === 'response' && msg.command === 'initialize') {
          clearTimeout(timer);
          sock.destroy();
          resolve(msg);
          return;
        }
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

describe('services through the extension', { concurrency: false }, () => {
  let ws: TempWorkspace;
  let context: vscode.ExtensionContext;

  before(async () => {
    ws = tempWorkspace({ build: { dockerfile: 'Dockerfile' }, remoteUser: 'dev' }, 'svc');
    fs.writeFileSync(path.join(ws.folder, '.devcontainer/Dockerfile'), dockerfile);
    fs.writeFileSync(path.join(ws.folder, 'train.py'), 'import time\nfor step in range(600):\n    time.sleep(0.5)\n');
  });
  after(async () => {
    if (context) {
      await deactivate();
      context.subscriptions.forEach((d) => d.dispose());
    }
    ws.remove();
  });

  test('the container comes up for the services', async (t) => {
    if (!requireServer(t, true, 'dlc-test/vscode-jupyter:latest')) return;
    mock.reset();
    mock.settings.set('dlcontainer.serverPath', serverBinary());
    openFolders(ws.folder);
    context = fakeContext();
    await activate(context);
    mock.answer = (m) => (m.items.includes('Create Container') ? 'Create Container' : undefined);
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    assert.deepEqual(mock.messages.filter((m) => m.severity === 'error'), []);
    assert.equal(ws.containers()[0]?.state, 'running');
  });

  test('Open Jupyter opens a URL that serves Jupyter with its token, and refuses without it', async (t) => {
    if (!requireServer(t)) return;
    mock.externalUris = [];
    await vscode.commands.executeCommand('dlcontainer.openJupyter');
    assert.deepEqual(mock.messages.filter((m) => m.severity === 'error'), []);
    assert.equal(mock.externalUris.length, 1, 'one URL opened');
    const url = new URL(mock.externalUris[0].toString());
    assert.equal(url.hostname, '127.0.0.1');
    assert.ok(url.searchParams.get('token'), `the URL carries the token: ${url}`);
    const page = await fetch(url, { redirect: 'follow' });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Jupyter/);
    const api = new URL('/api/status', url);
    assert.equal((await fetch(api)).status, 403, 'the API refuses without the token');
    api.searchParams.set('token', url.searchParams.get('token')!);
    assert.equal((await fetch(api)).status, 200);
    // Through an editor's port forwarding (code-server's PORT.localhost proxy, web VS Code), which
    // keeps its own Host header: still served with the token, still refused without.
    const proxied = (pathAndQuery: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get({ host: url.hostname, port: url.port, path: pathAndQuery, headers: { host: `${url.port}.localhost:4000` }, timeout: 20_000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('timeout', () => req.destroy(new Error('no answer in 20 s')));
        req.on('error', reject);
      });
    assert.equal(await proxied(`${url.pathname}${url.search}`), 200);
    assert.equal(await proxied('/api/status'), 403);
    // Again: the same server, not a second one.
    await vscode.commands.executeCommand('dlcontainer.openJupyter');
    assert.equal(mock.externalUris[1]?.toString(), mock.externalUris[0].toString());
  });

  test('a dlcontainer launch entry resolves to a debugpy attach that answers DAP, with the path mapping', async (t) => {
    if (!requireServer(t)) return;
    const provider = mock.debugProviders.get('dlcontainer') as DlcDebugConfigurationProvider;
    assert.ok(provider, 'the dlcontainer debug type has a provider');
    mock.activeFile = path.join(ws.folder, 'train.py');
    const folder = vscode.workspace.workspaceFolders![0];
    const resolved = await provider.resolveDebugConfiguration(folder, {
      type: 'dlcontainer',
      request: 'launch',
      name: 'Python in container: train.py',
      language: 'python',
      program: '${file}',
      wait: false,
    });
    assert.deepEqual(mock.messages.filter((m) => m.severity === 'error'), []);
    assert.ok(resolved, 'a configuration');
    assert.equal(resolved.type, 'debugpy');
    assert.equal(resolved.request, 'attach');
    assert.equal(resolved.name, 'Python in container: train.py');
    assert.deepEqual(resolved.pathMappings, [{ localRoot: ws.folder, remoteRoot: '/workspaces/svc' }]);
    const connect = resolved.connect as { host: string; port: number };
    const answer = await dapInitialize(connect.host, connect.port);
    assert.equal(answer.success, true, JSON.stringify(answer));
  });

  test('Debug Python File in Container starts a dlcontainer session for the file', async (t) => {
    if (!requireServer(t)) return;
    mock.activeFile = path.join(ws.folder, 'train.py');
    await vscode.commands.executeCommand('dlcontainer.debugPythonFile');
    const session = mock.debugSessions.at(-1);
    assert.ok(session);
    assert.equal(session.config.type, 'dlcontainer');
    assert.equal(session.config.program, path.join(ws.folder, 'train.py'));
  });
});
