// package.mjs: a platform .vsix carries only the portable server, since it runs on other systems than
// the one that built it; unknown targets and arguments are refused before anything is built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { requireServer, serverBinary } from '../support/server';

const ext = path.resolve(__dirname, '../..');
const packageMjs = (...args: string[]) =>
  spawnSync(process.execPath, ['package.mjs', ...args], { cwd: ext, encoding: 'utf8', timeout: 60_000 });

test('--target linux-x64 refuses a binary that is not the portable build', (t) => {
  if (!requireServer(t, false)) return;
  const r = packageMjs('--target', 'linux-x64', '--binary', serverBinary(), '-o', '/nonexistent/never.vsix');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /is not a portable build/);
});

test('a target with no server build is refused, naming the targets there are', () => {
  const r = packageMjs('--target', 'win32-x64');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /the targets are: linux-x64/);
});

test('an unknown argument is refused, not ignored', () => {
  const r = packageMjs('--bundle', '/usr/bin/true');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown argument --bundle/);
});
