// The container's Python in the folder's settings: what is written (the wrapper, the copy's package
// folders), what the write keeps (comments, the user's other settings), and what taking it back
// restores. On real files in a temporary folder.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { IdeInterpreterResult } from '../../src/protocol';
import {
  containerPythonSettings,
  ExtraPathsSetting,
  InterpreterSetting,
  readSettings,
  restoreSettings,
  settingsFile,
  writeContainerSettings,
} from '../../src/pythonSettings';

function folder(settingsText?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-settings-'));
  if (settingsText !== undefined) {
    fs.mkdirSync(path.join(dir, '.vscode'));
    fs.writeFileSync(path.join(dir, '.vscode/settings.json'), settingsText);
  }
  return dir;
}

const result = (ws: string): IdeInterpreterResult => ({
  workspace: ws,
  interpreter: `${ws}/.dlcontainer/bin/python`,
  python: 'python3',
  pythonVersion: '3.11.2',
  containerId: 'c0ffee',
  remoteWorkspaceFolder: '/workspaces/paper',
  mirrorHostPath: true,
  helpers: [],
  recreated: false,
  libs: {
    root: '/cache/libs/0b2481f87cbc',
    imageId: 'sha256:0b2481f87cbc',
    paths: [
      { container: '/usr/lib/python3.11', kind: 'stdlib', host: '/cache/libs/0b2481f87cbc/tree/usr/lib/python3.11' },
      { container: '/usr/lib/python3/dist-packages', kind: 'packages', host: '/cache/libs/0b2481f87cbc/tree/usr/lib/python3/dist-packages' },
      { container: '/workspaces/paper', kind: 'workspace', host: ws },
      { container: '/workspaces/paper/src', kind: 'workspace', host: `${ws}/src` },
    ],
    refreshed: true,
    stale: false,
    partial: false,
    files: 10,
    bytes: 100,
    neededBytes: 100,
    maxBytes: 1 << 30,
    created: '2026-01-01T00:00:00Z',
    notes: [],
  },
});

describe('the settings for the container\'s Python', () => {
  test('the interpreter is the wrapper; extraPaths are the copied packages and the workspace\'s src/, not the standard library', () => {
    const s = containerPythonSettings(result('/home/me/paper'));
    assert.equal(s[InterpreterSetting], '/home/me/paper/.dlcontainer/bin/python');
    assert.deepEqual(s[ExtraPathsSetting], ['/cache/libs/0b2481f87cbc/tree/usr/lib/python3/dist-packages', '/home/me/paper/src']);
  });

  test('without the copy (libs: false) extraPaths is empty', () => {
    const r = result('/w');
    delete r.libs;
    assert.deepEqual(containerPythonSettings(r)[ExtraPathsSetting], []);
  });
});

describe('writing and taking back', () => {
  test('the write keeps comments and other settings; the restore gives back the previous values', () => {
    const dir = folder('{\n  // mine\n  "editor.tabSize": 4,\n  "python.defaultInterpreterPath": "/usr/bin/python3",\n}\n');
    const wanted = containerPythonSettings(result(dir));
    const { record, kept } = writeContainerSettings(dir, wanted);
    assert.deepEqual(kept, []);
    const text = fs.readFileSync(settingsFile(dir), 'utf8');
    assert.match(text, /\/\/ mine/);
    const now = readSettings(dir);
    assert.equal(now['editor.tabSize'], 4);
    assert.equal(now[InterpreterSetting], `${dir}/.dlcontainer/bin/python`);
    assert.deepEqual(now[ExtraPathsSetting], wanted[ExtraPathsSetting]);
    assert.deepEqual(record.previous, { [InterpreterSetting]: '/usr/bin/python3', [ExtraPathsSetting]: undefined });

    const { restored, kept: left } = restoreSettings(dir, record);
    assert.deepEqual(restored.sort(), [ExtraPathsSetting, InterpreterSetting].sort());
    assert.deepEqual(left, []);
    const after = readSettings(dir);
    assert.deepEqual(after, { 'editor.tabSize': 4, [InterpreterSetting]: '/usr/bin/python3' });
    assert.match(fs.readFileSync(settingsFile(dir), 'utf8'), /\/\/ mine/);
    fs.rmSync(dir, { recursive: true });
  });

  test('a setting changed by hand since is left as it is, by the restore and by the next write', () => {
    const dir = folder();
    const { record } = writeContainerSettings(dir, containerPythonSettings(result(dir)));
    // The user points extraPaths elsewhere.
    fs.writeFileSync(settingsFile(dir), JSON.stringify({ ...readSettings(dir), [ExtraPathsSetting]: ['/mine'] }));
    const again = writeContainerSettings(dir, containerPythonSettings(result(dir)), record);
    assert.deepEqual(again.kept, [ExtraPathsSetting]);
    assert.deepEqual(readSettings(dir)[ExtraPathsSetting], ['/mine']);
    const { restored, kept } = restoreSettings(dir, again.record);
    assert.deepEqual(restored, [InterpreterSetting]);
    assert.deepEqual(kept, []);
    assert.deepEqual(readSettings(dir), { [ExtraPathsSetting]: ['/mine'] });
    fs.rmSync(dir, { recursive: true });
  });

  test('a settings file the write made, left empty by the restore, goes again (with its .vscode folder)', () => {
    const dir = folder();
    const { record } = writeContainerSettings(dir, containerPythonSettings(result(dir)));
    assert.ok(fs.existsSync(settingsFile(dir)));
    restoreSettings(dir, record);
    assert.equal(fs.existsSync(path.join(dir, '.vscode')), false);
    fs.rmSync(dir, { recursive: true });
  });

  test('a settings file that does not parse is refused and left untouched', () => {
    const broken = '{ "editor.tabSize": 4,, oops';
    const dir = folder(broken);
    assert.throws(() => writeContainerSettings(dir, containerPythonSettings(result(dir))), /is not valid JSON with comments/);
    assert.equal(fs.readFileSync(settingsFile(dir), 'utf8'), broken);
    fs.rmSync(dir, { recursive: true });
  });
});
