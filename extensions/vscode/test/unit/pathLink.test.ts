// The bundled dlcontainer offered to terminals: a link in ~/.local/bin made only when the user says so,
// moved along when the extension updates, and nothing of the user's ever replaced.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as vscode from 'vscode';
import { BinaryChoice } from '../../src/binary';
import { dirOnPath, LinkChoices, linkState, offerPathLink } from '../../src/pathLink';
import { mock } from '../mocks/vscode';

interface Setup {
  root: string;
  home: string;
  link: string;
  bundled: BinaryChoice;
  context: vscode.ExtensionContext;
  state: Map<string, unknown>;
}

// A home folder and an extensions folder holding this version (0.2.0) of the extension, with its binary.
function setup(t: { after(fn: () => void): void }): Setup {
  mock.reset();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-link-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const extensionPath = path.join(root, 'extensions', 'dlcontainer.dlcontainer-0.2.0-linux-x64');
  fs.mkdirSync(path.join(extensionPath, 'bin'), { recursive: true });
  const binary = path.join(extensionPath, 'bin', 'dlcontainer');
  fs.writeFileSync(binary, '#!/bin/sh\necho bundled\n', { mode: 0o755 });
  const state = new Map<string, unknown>();
  const context = {
    extensionPath,
    globalState: { get: (k: string) => state.get(k), update: async (k: string, v: unknown) => void state.set(k, v) },
  } as unknown as vscode.ExtensionContext;
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  return { root, home, link: path.join(home, '.local', 'bin', 'dlcontainer'), bundled: { path: binary, source: 'bundled' }, context, state };
}

test('asked first, "Create Link" links ~/.local/bin/dlcontainer to the bundled binary', async (t) => {
  const s = setup(t);
  mock.answer = (m) => (m.items.includes(LinkChoices.create) ? LinkChoices.create : undefined);
  const after = await offerPathLink(s.context, s.bundled, { home: s.home, pathEnv: path.join(s.home, '.local', 'bin') });
  assert.deepEqual(after, { kind: 'current' });
  assert.equal(mock.messages[0].items.length, 3, 'the question offers create, later and never');
  assert.match(mock.messages[0].message, /~\/\.local\/bin\/dlcontainer/);
  assert.equal(fs.readlinkSync(s.link), s.bundled.path);
  assert.match(mock.messages[1].message, /terminals opened from now on/);
});

test('nothing is made without a yes; "Don\'t Ask Again" is remembered, and the command still asks', async (t) => {
  const s = setup(t);
  await offerPathLink(s.context, s.bundled, { home: s.home });
  assert.equal(mock.messages.length, 1);
  assert.equal(fs.existsSync(s.link), false, 'dismissed: no link');

  mock.answer = () => LinkChoices.never;
  await offerPathLink(s.context, s.bundled, { home: s.home });
  assert.equal(fs.existsSync(s.link), false);
  mock.messages = [];
  await offerPathLink(s.context, s.bundled, { home: s.home });
  assert.equal(mock.messages.length, 0, 'not asked again at the next activation');

  mock.answer = (m) => (m.items.length ? LinkChoices.create : undefined);
  await offerPathLink(s.context, s.bundled, { home: s.home, explicit: true, pathEnv: '/usr/bin' });
  assert.equal(fs.readlinkSync(s.link), s.bundled.path, 'the command asks even so, and links');
  assert.match(mock.messages.at(-1)!.message, /missing from PATH/);
});

test("a file or someone else's link at ~/.local/bin/dlcontainer is left as it is, unasked", async (t) => {
  const s = setup(t);
  fs.mkdirSync(path.dirname(s.link), { recursive: true });
  fs.writeFileSync(s.link, 'the user\'s own script\n');
  mock.answer = () => LinkChoices.create;
  const state = await offerPathLink(s.context, s.bundled, { home: s.home });
  assert.equal(state.kind, 'foreign');
  assert.equal(mock.messages.length, 0);
  assert.equal(fs.readFileSync(s.link, 'utf8'), 'the user\'s own script\n');

  fs.rmSync(s.link);
  fs.symlinkSync('/usr/local/bin/dlcontainer', s.link);
  await offerPathLink(s.context, s.bundled, { home: s.home, explicit: true });
  assert.equal(fs.readlinkSync(s.link), '/usr/local/bin/dlcontainer');
  assert.match(mock.messages.at(-1)!.message, /left as it is/);
});

test("a link to an older version's bundled binary moves to this one without asking", async (t) => {
  const s = setup(t);
  const old = path.join(s.root, 'extensions', 'dlcontainer.dlcontainer-0.1.0-linux-x64', 'bin', 'dlcontainer');
  fs.mkdirSync(path.dirname(s.link), { recursive: true });
  fs.symlinkSync(old, s.link); // dangling: the old version's folder is gone
  assert.equal(linkState(s.link, s.bundled.path, path.dirname(s.context.extensionPath)).kind, 'stale');
  const state = await offerPathLink(s.context, s.bundled, { home: s.home });
  assert.deepEqual(state, { kind: 'current' });
  assert.equal(fs.readlinkSync(s.link), s.bundled.path);
  assert.equal(mock.messages.length, 0);
});

test('a binary from the setting or PATH is not offered', async (t) => {
  const s = setup(t);
  mock.answer = () => LinkChoices.create;
  await offerPathLink(s.context, { path: '/usr/bin/dlcontainer', source: 'PATH' }, { home: s.home });
  assert.equal(mock.messages.length, 0);
  assert.equal(fs.existsSync(s.link), false);
});

test('dirOnPath compares folders, not strings', () => {
  assert.equal(dirOnPath('/home/u/.local/bin', '/usr/bin:/home/u/.local/bin/'), true);
  assert.equal(dirOnPath('/home/u/.local/bin', '/usr/bin::'), false);
});
