// The editor sees the container's packages: a workspace whose container has torch (Debian's
// python3-torch in dlc-test/torch) and a host that has none. The extension, driven as a user drives
// it, brings the container up and, asked, writes the folder's settings; then the real pyright (from
// npm, the analyser inside Pylance) is given exactly those settings. With them it resolves
// `import torch` and knows `torch.nn.Linear`; without them (before, and after "Stop Using the
// Container's Python") it reports the import missing. Both ways, so the test can fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'jsonc-parser';
import * as vscode from 'vscode';
import { UseAnswer } from '../../src/commands/python';
import { activate, deactivate } from '../../src/extension';
import { ExtraPathsSetting, InterpreterSetting, settingsFile } from '../../src/pythonSettings';
import { mock, openFolders } from '../mocks/vscode';
import { fakeContext } from '../support/context';
import { requireServer, serverBinary, tempWorkspace, TempWorkspace } from '../support/server';

const TorchImage = 'dlc-test/torch:latest';
const pyrightBin = path.resolve(__dirname, '../../node_modules/pyright/index.js');

interface Diagnostic {
  severity: string;
  message: string;
  rule?: string;
}

// pyright's CLI reads its settings from a config file; these are the same settings VS Code hands
// Pylance/pyright from the folder's settings.json (python.analysis.extraPaths -> extraPaths).
function pyright(folder: string, settings: Record<string, unknown>): Diagnostic[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-pyright-'));
  try {
    const config = path.join(dir, 'pyrightconfig.json');
    const extraPaths = (settings[ExtraPathsSetting] as string[] | undefined) ?? [];
    // pyright takes only relative include paths (an absolute one is ignored, with a line on stderr).
    fs.writeFileSync(config, JSON.stringify({ include: [path.relative(dir, folder)], extraPaths, typeCheckingMode: 'basic' }));
    const r = spawnSync(process.execPath, [pyrightBin, '--outputjson', '-p', config], { encoding: 'utf8', timeout: 240_000 });
    assert.ok(r.stdout, `pyright said nothing: ${r.stderr} ${r.error ?? ''}`);
    const out = JSON.parse(r.stdout) as { generalDiagnostics: Diagnostic[]; summary: { filesAnalyzed: number } };
    assert.ok(out.summary.filesAnalyzed > 0, `pyright analysed nothing: ${r.stderr}`);
    return out.generalDiagnostics;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function folderSettings(folder: string): Record<string, unknown> {
  const file = settingsFile(folder);
  return fs.existsSync(file) ? (parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

const missingTorch = (d: Diagnostic[]) => d.some((x) => x.rule === 'reportMissingImports' && /"torch"/.test(x.message));
const revealed = (d: Diagnostic[]) => d.find((x) => x.severity === 'information' && /Type of "layer"/.test(x.message))?.message ?? '';

describe("pyright resolves the container's packages through the settings the extension writes", { concurrency: false }, () => {
  let ws: TempWorkspace;
  let context: vscode.ExtensionContext | undefined;
  let cache: string;
  const savedCache = process.env.XDG_CACHE_HOME;

  before(() => {
    ws = tempWorkspace({ image: TorchImage }, 'paper');
    fs.writeFileSync(path.join(ws.folder, 'train.py'), 'import torch\n\nlayer = torch.nn.Linear(2, 3)\nreveal_type(layer)\n');
    // The server the extension starts inherits this: the mirror goes to a folder of this test's own.
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-libs-cache-'));
    process.env.XDG_CACHE_HOME = cache;
  });
  after(async () => {
    if (context) {
      await deactivate();
      context.subscriptions.forEach((d) => d.dispose());
    }
    ws.remove();
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
    fs.rmSync(cache, { recursive: true, force: true });
  });

  test('the host has no torch: pyright reports the import missing', (t) => {
    if (!requireServer(t, true, TorchImage)) return;
    const host = spawnSync('python3', ['-c', 'import torch']);
    assert.notEqual(host.status, 0, 'this host has torch: the test would prove nothing');
    assert.ok(missingTorch(pyright(ws.folder, folderSettings(ws.folder))));
  });

  test('after up, answering the offer writes the interpreter and the mirror; pyright then resolves torch.nn.Linear', async (t) => {
    if (!requireServer(t, true, TorchImage)) return;
    mock.reset();
    mock.settings.set('dlcontainer.serverPath', serverBinary());
    openFolders(ws.folder);
    context = fakeContext();
    await activate(context);
    mock.answer = (m) => (m.items.includes('Create Container') ? 'Create Container' : m.items.includes(UseAnswer) ? UseAnswer : undefined);
    await vscode.commands.executeCommand('dlcontainer.openInContainer');
    assert.deepEqual(mock.messages.filter((m) => m.severity === 'error'), []);
    assert.ok(mock.messages.some((m) => m.items.includes(UseAnswer)), 'the user was asked');

    const settings = folderSettings(ws.folder);
    assert.equal(settings[InterpreterSetting], path.join(ws.folder, '.dlcontainer/bin/python'), JSON.stringify(mock.messages.map((m) => m.message)));
    const extra = settings[ExtraPathsSetting] as string[];
    assert.ok(extra.length > 0 && extra.every((p) => p.startsWith(path.join(cache, 'dlcontainer/libs/'))), JSON.stringify(extra));
    // The mirror holds torch's source, read-only, and none of its compiled modules.
    const torch = extra.map((p) => path.join(p, 'torch')).find((p) => fs.existsSync(p));
    assert.ok(torch, `torch is in the mirror: ${extra}`);
    assert.ok(fs.existsSync(path.join(torch, 'nn/modules/linear.py')));
    assert.equal(fs.statSync(path.join(torch, '__init__.py')).mode & 0o777, 0o444);
    assert.equal(fs.readdirSync(torch).some((f) => f.endsWith('.so')), false);

    const diagnostics = pyright(ws.folder, settings);
    assert.equal(missingTorch(diagnostics), false, JSON.stringify(diagnostics.filter((d) => d.severity === 'error')));
    assert.match(revealed(diagnostics), /"Linear"/);
  });

  test('"Stop Using the Container\'s Python" takes the settings back; pyright misses torch again', async (t) => {
    if (!requireServer(t, true, TorchImage)) return;
    await vscode.commands.executeCommand('dlcontainer.stopUsingContainerPython');
    assert.equal(fs.existsSync(settingsFile(ws.folder)), false, 'the settings file the extension made is gone');
    assert.ok(missingTorch(pyright(ws.folder, folderSettings(ws.folder))));
  });
});
