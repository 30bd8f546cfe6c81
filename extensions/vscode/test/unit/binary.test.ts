// Which binary the extension starts: the setting, else PATH, else the bundled one; a setting that
// points nowhere is an error with a hint, not a silent fallback.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { BinaryNotFoundError, findServerBinary, isExecutableFile } from '../../src/binary';

function tree(): { root: string; exe: (rel: string) => string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-bin-'));
  return {
    root,
    exe(rel: string) {
      const p = path.join(root, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, '#!/bin/sh\n');
      fs.chmodSync(p, 0o755);
      return p;
    },
  };
}

test('the setting wins over PATH and the bundled binary', (t) => {
  const { root, exe } = tree();
  t.after(() => fs.rmSync(root, { recursive: true }));
  const set = exe('custom/dlc');
  exe('onpath/dlcontainer');
  exe('ext/bin/dlcontainer');
  const c = findServerBinary({ setting: set, pathEnv: path.join(root, 'onpath'), extensionDir: path.join(root, 'ext') });
  assert.deepEqual(c, { path: set, source: 'setting' });
});

test('PATH is searched in order before the bundled binary', (t) => {
  const { root, exe } = tree();
  t.after(() => fs.rmSync(root, { recursive: true }));
  const second = exe('b/dlcontainer');
  fs.mkdirSync(path.join(root, 'a'));
  fs.writeFileSync(path.join(root, 'a/dlcontainer'), 'not executable');
  exe('ext/bin/dlcontainer');
  const pathEnv = ['', path.join(root, 'a'), path.join(root, 'b')].join(path.delimiter);
  assert.deepEqual(findServerBinary({ pathEnv, extensionDir: path.join(root, 'ext') }), { path: second, source: 'PATH' });
});

test('the bundled binary is the last resort', (t) => {
  const { root, exe } = tree();
  t.after(() => fs.rmSync(root, { recursive: true }));
  const bundled = exe('ext/bin/dlcontainer');
  assert.deepEqual(findServerBinary({ pathEnv: '/nonexistent', extensionDir: path.join(root, 'ext') }), {
    path: bundled,
    source: 'bundled',
  });
});

test('a setting that is not an executable is an error naming the setting', (t) => {
  const { root, exe } = tree();
  t.after(() => fs.rmSync(root, { recursive: true }));
  exe('onpath/dlcontainer');
  assert.throws(
    () => findServerBinary({ setting: path.join(root, 'missing'), pathEnv: path.join(root, 'onpath'), extensionDir: root }),
    (e: unknown) => e instanceof BinaryNotFoundError && /serverPath/.test(e.message) && /serverPath/.test(e.hint),
  );
});

test('nothing found: an error whose hint says how to get the binary', () => {
  assert.throws(
    () => findServerBinary({ pathEnv: '/nonexistent', extensionDir: '/nonexistent' }),
    (e: unknown) => e instanceof BinaryNotFoundError && /PATH/.test(e.hint),
  );
});

test('a folder is not an executable file', () => {
  assert.equal(isExecutableFile(os.tmpdir()), false);
  assert.equal(isExecutableFile('/bin/sh'), true);
});
