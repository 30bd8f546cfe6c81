// Choosing a full editor in the container, and what Remote-SSH is given: pure pieces.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DevContainersId, editorWays, includeLine, remoteSshUri, RemoteSshId, withInclude } from '../../src/remoteEditor';

describe('ways to a full editor', () => {
  test('each extension installed adds its way; the browser is always there', () => {
    assert.deepEqual(editorWays(() => false).map((w) => w.way), ['codeServer']);
    assert.deepEqual(editorWays((id) => id === DevContainersId).map((w) => w.way), ['devContainers', 'codeServer']);
    assert.deepEqual(editorWays((id) => id === RemoteSshId).map((w) => w.way), ['remoteSsh', 'codeServer']);
  });

  test('the Remote-SSH folder URI names the Host alias and the container folder', () => {
    assert.equal(remoteSshUri('dlc-paper-1a2b3c4d', '/workspaces/my paper'), 'vscode-remote://ssh-remote+dlc-paper-1a2b3c4d/workspaces/my%20paper');
  });

  test('the Include line covers every workspace\'s entry, goes first, once, and keeps the rest', () => {
    const line = includeLine('/home/me/.local/state/dlcontainer/ssh/dlc-paper-1a2b3c4d/config');
    assert.equal(line, 'Include /home/me/.local/state/dlcontainer/ssh/*/config');
    const mine = 'Host work\n  HostName work.example\n';
    const once = withInclude(mine, line);
    assert.ok(once.indexOf(line) < once.indexOf('Host work'));
    assert.ok(once.endsWith(mine));
    assert.equal(withInclude(once, line), once);
  });
});
