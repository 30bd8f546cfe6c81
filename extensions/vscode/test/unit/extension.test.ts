// The extension as VS Code runs it, with `vscode` replaced by test/mocks/vscode.ts for the UI calls
// only: behind the commands are a real `dlcontainer serve` and the real engine. What is checked is
// what the user sees (dialogs, progress, the status bar, notifications and their buttons) and what
// the engine has afterwards.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as vscode from 'vscode';
import { activate, deactivate, DlcExtensionApi } from '../../src/extension';
import { planSummary } from '../../src/planView';
import { WorkspacePlanResult } from '../../src/protocol';
import { mock, openFolders } from '../mocks/vscode';
import { fakeContext } from '../support/context';
import { requireServer, serverBinary, tempWorkspace, TempWorkspace, until } from '../support/server';

async function activated(folder: string): Promise<{ api: DlcExtensionApi; context: vscode.ExtensionContext }> {
  mock.reset();
  mock.settings.set('dlcontainer.serverPath', serverBinary());
  openFolders(folder);
  const context = fakeContext();
  const api = await activate(context);
  return { api, context };
}

async function closeDown(context: vscode.ExtensionContext): Promise<void> {
  await deactivate();
  context.subscriptions.forEach((d) => d.dispose());
}

const statusText = () => mock.statusItems.find((i) => i.id === 'dlcontainer.status')?.text ?? '';

describe('opening a folder in a container', { concurrency: false }, () => {
  let ws: TempWorkspace;
  let context: vscode.ExtensionContext;

  before(() => {
    ws = tempWorkspace({ build: { dockerfile: 'Dockerfile' }, overrideCommand: false, remoteUser: 'dev' }, 'paper');
    // PID 1 prints a line (for Show Logs) and stays up.
    fs.writeFileSync(
      path.join(ws.folder, '.devcontainer/Dockerfile'),
      'FROM dlc-test/python:latest\nCMD ["sh", "-c", "echo hello-from-pid1; exec sleep infinity"]\n',
    );
  });
  after(async () => {
    if (context) await closeDown(context);
    ws.remove();
  });

  test('the status bar shows the folder\'s state as soon as the extension starts', async (t) => {
    if (!requireServer(t)) return;
    ({ context } = await activated(ws.folder));
    await until('the status bar to show the state', () => /no container/.test(statusText()));
    assert.equal(mock.statusItems[0].command, 'dlcontainer.showCommands');
  });

  test('the confirm shows the server\'s plan with its reasons; dismissing it creates nothing', async (t) => {
    if (!requireServer(t)) return;
    mock.answer = () => undefined;
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    const confirm = mock.messages.find((m) => /Create a container for paper\?/.test(m.message));
    assert.ok(confirm, 'a confirm was shown');
    const options = confirm.options as { modal?: boolean; detail?: string };
    assert.equal(options.modal, true);
    assert.deepEqual(confirm.items, ['Create Container']);
    // The plan workspace/plan answered, as `dlcontainer plan --json` prints it for the same folder.
    const plan = JSON.parse(execFileSync(serverBinary(), ['plan', ws.folder, '--json'], { encoding: 'utf8' })) as WorkspacePlanResult;
    assert.equal(plan.plan.mode, 'devcontainer');
    assert.equal(options.detail, planSummary(plan));
    const source = plan.plan.decisions.find((d) => d.topic === 'source')!;
    assert.match(options.detail!, /^Image: its devcontainer\.json/);
    assert.ok(options.detail!.includes(source.reason!), options.detail);
    const doc = mock.documents.find((d) => d.uri.path === '/plan-paper.md');
    assert.ok(doc, 'the plan was opened beside the dialog');
    assert.ok(doc.text.startsWith(`# dlcontainer plan for ${ws.folder}`));
    // Dismissed: the plan was the only work (no "Opening paper…" progress, so no workspace/up), the
    // engine has no container, and the status bar still says so.
    assert.deepEqual(mock.progress.map((p) => p.title), ['Planning the container']);
    assert.equal(ws.containers().length, 0);
    assert.match(statusText(), /no container/);
  });

  test('confirming brings the container up under progress; the status bar says running', async (t) => {
    if (!requireServer(t)) return;
    mock.messages = [];
    mock.answer = (m) => (m.items.includes('Create Container') ? 'Create Container' : undefined);
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    const errors = mock.messages.filter((m) => m.severity === 'error');
    assert.deepEqual(errors, []);
    const run = mock.progress.find((p) => /Opening paper in a GPU container/.test(p.title));
    assert.ok(run, 'a progress notification');
    assert.ok(run.reports.some((r) => r.message), `the server's steps were shown: ${JSON.stringify(run.reports)}`);
    assert.match(statusText(), /dlcontainer: running/);
    const cs = ws.containers();
    assert.equal(cs.length, 1);
    assert.equal(cs[0].state, 'running');
    const done = mock.messages.find((m) => /paper is in container/.test(m.message));
    assert.ok(done, 'a notification names the container');
    assert.deepEqual(done.items, ['Open Terminal', 'Open Jupyter']);
  });

  test('Show Logs follows the container\'s output into an output channel', async (t) => {
    if (!requireServer(t)) return;
    const logs = vscode.commands.executeCommand('dlcontainer.showLogs');
    await until('the container\'s line in the logs channel', () => /hello-from-pid1/.test(mock.outputs.get('dlcontainer: container logs')?.text ?? ''));
    // Stopping the container ends the followed logs, and the engine's event turns the status bar.
    execFileSync('docker', ['stop', '-t', '1', ws.containers()[0].id], { stdio: 'ignore' });
    await logs;
    assert.match(mock.outputs.get('dlcontainer: container logs')!.text, /end of its logs/);
    await until('the status bar to say exited', () => /dlcontainer: exited/.test(statusText()), 20_000);
  });

  test('Open Terminal in Container needs a running container, and says so with a fix', async (t) => {
    if (!requireServer(t)) return;
    mock.messages = [];
    mock.answer = () => undefined;
    await vscode.commands.executeCommand('dlcontainer.openTerminal');
    const err = mock.messages.find((m) => m.severity === 'error');
    assert.ok(err, 'an error notification');
    assert.match(err.message, /not running \(exited\)/);
    assert.match(err.message, /Hint: run "Open Folder in GPU Container" first/);
    assert.deepEqual(err.items, ['Open Folder in GPU Container']);
    assert.equal(mock.terminals.length, 0);
  });

  test('the fix button runs its command: the container is started again and a terminal opens', async (t) => {
    if (!requireServer(t)) return;
    mock.messages = [];
    // The existing container is started without a plan or confirm.
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    assert.equal(mock.messages.filter((m) => /Create a container/.test(m.message)).length, 0);
    assert.match(statusText(), /dlcontainer: running/);
    await vscode.commands.executeCommand('dlcontainer.openTerminal');
    assert.equal(mock.terminals.length, 1);
    const opts = mock.terminals[0] as unknown as { shellPath: string; shellArgs: string[] };
    assert.equal(opts.shellPath, serverBinary());
    assert.deepEqual(opts.shellArgs.slice(0, 3), ['exec', '-w', ws.folder]);
    // The same command line, run here, reaches the container as the remote user.
    const out = execFileSync(opts.shellPath, [...opts.shellArgs.slice(0, 4), 'id', '-un'], { encoding: 'utf8' });
    assert.equal(out.trim(), 'dev');
  });

  test('Stop Container stops it and says so', async (t) => {
    if (!requireServer(t)) return;
    mock.messages = [];
    mock.answer = () => undefined;
    await vscode.commands.executeCommand('dlcontainer.stop');
    assert.ok(mock.messages.some((m) => /container stopped/.test(m.message)), JSON.stringify(mock.messages));
    assert.equal(ws.containers()[0].state, 'exited');
    await until('the status bar to say exited', () => /dlcontainer: exited/.test(statusText()), 20_000);
  });
});

describe('Run Doctor', () => {
  test('shows the host\'s checks, each with its result, in a document', async (t) => {
    if (!requireServer(t, false)) return;
    const ws = tempWorkspace({ image: 'dlc-test/python:latest' }, 'doctor');
    const { context } = await activated(ws.folder);
    t.after(async () => {
      await closeDown(context);
      ws.remove();
    });
    await vscode.commands.executeCommand('dlcontainer.doctor');
    assert.deepEqual(mock.messages.filter((m) => m.severity === 'error'), []);
    const doc = mock.documents.find((d) => d.uri.path === '/doctor.md');
    assert.ok(doc, 'the report was opened');
    assert.match(doc.text, /^# dlcontainer doctor/);
    assert.match(doc.text, /GPUs would be attached by: /);
    // Every check the binary reports is listed with its verdict.
    // (It exits 1 on a host where no GPU container can be made, as this one may be.)
    const report = JSON.parse(spawnSync(serverBinary(), ['doctor', '--json'], { encoding: 'utf8' }).stdout);
    assert.ok(report.checks.length > 3);
    for (const c of report.checks) assert.ok(doc.text.includes(`**${c.title}**`), `${c.title} listed`);
  });
});

describe('errors', { concurrency: false }, () => {
  test('a broken devcontainer.json: the server\'s message and hint, and a button that opens the file', async (t) => {
    if (!requireServer(t, false)) return;
    const ws = tempWorkspace({ image: 'dlc-test/python:latest' }, 'broken');
    fs.writeFileSync(path.join(ws.folder, '.devcontainer/devcontainer.json'), '{ "image": "x", "runArgs": ["--frobnicate"] }');
    const { context } = await activated(ws.folder);
    t.after(async () => {
      await closeDown(context);
      ws.remove();
    });
    mock.answer = (m) => (m.items.includes('Create Container') ? 'Create Container' : m.items.includes('Open devcontainer.json') ? 'Open devcontainer.json' : undefined);
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    const err = mock.messages.find((m) => m.severity === 'error');
    assert.ok(err, `an error notification among ${JSON.stringify(mock.messages)}`);
    assert.match(err.message, /^dlcontainer: /);
    assert.match(err.message, /frobnicate/);
    assert.match(err.message, /Hint: /);
    await until('the file to open', () => mock.opened.some((u) => u.fsPath.endsWith('.devcontainer/devcontainer.json')));
    assert.equal(ws.containers().length, 0);
  });

  test('an engine that cannot be reached: the hint, and "Run Doctor"', async (t) => {
    if (!requireServer(t, false)) return;
    const ws = tempWorkspace({ image: 'dlc-test/python:latest' }, 'noengine');
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${path.join(ws.folder, 'no-such.sock')}`;
    const { context } = await activated(ws.folder);
    t.after(async () => {
      await closeDown(context);
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      ws.remove();
    });
    mock.answer = () => undefined;
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    const err = mock.messages.find((m) => m.severity === 'error');
    assert.ok(err, `an error notification among ${JSON.stringify(mock.messages)}`);
    assert.match(err.message, /no-such\.sock/);
    assert.match(err.message, /Hint: /);
    assert.deepEqual(err.items, ['Run Doctor']);
  });

  test('no binary anywhere: the status bar says the server is not running, and the error offers the setting', async (t) => {
    const ws = tempWorkspace({ image: 'dlc-test/python:latest' }, 'nobinary');
    mock.reset();
    mock.settings.set('dlcontainer.serverPath', path.join(ws.folder, 'missing-dlcontainer'));
    openFolders(ws.folder);
    const context = fakeContext();
    await activate(context);
    t.after(async () => {
      await closeDown(context);
      ws.remove();
    });
    await until('the status bar to say so', () => /server not running/.test(statusText()));
    mock.answer = (m) => m.items[0];
    await vscode.commands.executeCommand('dlcontainer.stop');
    const err = mock.messages.find((m) => m.severity === 'error');
    assert.ok(err);
    assert.match(err.message, /serverPath/);
    assert.deepEqual(err.items, ['Open Settings']);
    await until('the settings to open', () => mock.executed.some((e) => e.command === 'workbench.action.openSettings'));
  });
});

describe('cancelling', () => {
  test('Cancel on the progress notification stops the image build and creates nothing', async (t) => {
    if (!requireServer(t)) return;
    const ws = tempWorkspace({ build: { dockerfile: 'Dockerfile' } }, 'slowbuild');
    // A build step that would take two minutes; the marker tells this test's builds apart.
    fs.writeFileSync(
      path.join(ws.folder, '.devcontainer/Dockerfile'),
      `FROM dlc-test/python:latest\nRUN echo ${path.basename(path.dirname(ws.folder))} && sleep 120\n`,
    );
    const { context } = await activated(ws.folder);
    t.after(async () => {
      await closeDown(context);
      ws.remove();
    });
    mock.answer = (m) => (m.items.includes('Create Container') ? 'Create Container' : undefined);
    const marker = path.basename(path.dirname(ws.folder));
    const opening = vscode.commands.executeCommand('dlcontainer.openInContainer');
    // Cancel once the slow step runs: its echo reached the output channel (window/logMessage).
    await until('the build step to run', () => (mock.outputs.get('dlcontainer')?.text ?? '').includes(`${marker}\n`), 60_000);
    const run = mock.progress.find((p) => /Opening slowbuild/.test(p.title));
    assert.ok(run, 'a progress notification');
    const started = Date.now();
    run.cancel();
    await opening;
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 30_000, `cancelled in ${elapsed} ms, not after the two-minute step`);
    assert.ok(mock.messages.some((m) => m.message === 'dlcontainer: cancelled.'), JSON.stringify(mock.messages));
    assert.equal(mock.messages.filter((m) => m.severity === 'error').length, 0);
    assert.equal(ws.containers().length, 0);
    // The engine stops the build step once its client has gone (within seconds, not the step's two minutes).
    const building = () => execFileSync('docker', ['ps', '--format', '{{.Command}}', '--no-trunc'], { encoding: 'utf8' }).includes(marker);
    await until('the build step to stop in the engine', () => !building(), 30_000);
  });
});

describe('with no folder open', () => {
  test('the command asks for a folder, reopens the window on it, and carries on there', async (t) => {
    if (!requireServer(t)) return;
    const ws = tempWorkspace({ image: 'dlc-test/python:latest' }, 'picked');
    const globalState = new Map<string, unknown>();
    // A window with no folder: the user picks one.
    mock.reset();
    mock.settings.set('dlcontainer.serverPath', serverBinary());
    mock.openDialog = () => [vscode.Uri.file(ws.folder)];
    const first = fakeContext(globalState);
    await activate(first);
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    const reopen = mock.executed.find((e) => e.command === 'vscode.openFolder');
    assert.ok(reopen, 'the window reopens on the folder');
    assert.equal((reopen.args[0] as vscode.Uri).fsPath, ws.folder);
    assert.equal(ws.containers().length, 0, 'nothing is made before the window is on the folder');
    await closeDown(first);

    // The reopened window: activation finds the pending open and asks to create the container.
    mock.reset();
    mock.settings.set('dlcontainer.serverPath', serverBinary());
    mock.answer = (m) => (m.items.includes('Create Container') ? 'Create Container' : undefined);
    openFolders(ws.folder);
    const second = fakeContext(globalState);
    t.after(async () => {
      await closeDown(second);
      ws.remove();
    });
    await activate(second);
    await until('the container to be up', () => ws.containers().some((c) => c.state === 'running'), 60_000);
    await until('the status bar to say running', () => /dlcontainer: running/.test(statusText()), 20_000);
    assert.equal(globalState.get('dlcontainer.pendingOpen'), undefined, 'done once');
  });
});
