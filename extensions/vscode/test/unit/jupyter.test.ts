// The Jupyter extension's side: its API (ms-toolsai.jupyter) is another extension's, so it is stood in
// for here; what is checked is what this extension hands to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offerToJupyterExtension } from '../../src/jupyter';
import { mock } from '../mocks/vscode';
import { serviceInfo } from '../support/wire';

interface Provider {
  provideJupyterServers(token: unknown): Array<{ id: string; label: string; connectionInformation: { baseUrl: { toString(): string }; token?: string } }>;
}

test('without the Jupyter extension nothing is offered', async () => {
  mock.reset();
  assert.equal(await offerToJupyterExtension(() => [], {}), false);
});

test('the container\'s Jupyter is offered once, as a server collection listing each server\'s root and token', async () => {
  mock.reset();
  const collections: Array<{ id: string; label: string; provider: Provider }> = [];
  let activated = 0;
  const api = {
    createJupyterServerCollection(id: string, label: string, provider: Provider) {
      collections.push({ id, label, provider });
      return { dispose() {} };
    },
  };
  mock.extensions.set('ms-toolsai.jupyter', { isActive: false, exports: undefined, activate: async () => (activated++, api) });
  const servers = [serviceInfo({ url: 'http://127.0.0.1:8890/lab?token=abc123', hostPort: 8890 })];
  const reg: { collection?: { dispose(): void } } = {};
  assert.equal(await offerToJupyterExtension(() => servers, reg), true);
  assert.equal(await offerToJupyterExtension(() => servers, reg), true);
  assert.equal(collections.length, 1, 'registered once');
  assert.equal(activated, 1);
  const listed = collections[0].provider.provideJupyterServers(undefined);
  assert.equal(listed.length, 1);
  assert.equal(listed[0].connectionInformation.baseUrl.toString(), 'http://127.0.0.1:8890/');
  assert.equal(listed[0].connectionInformation.token, 'abc123');
  // Read each time: a server started later is listed too.
  servers.push(serviceInfo({ url: 'http://127.0.0.1:8891/tree?token=def', hostPort: 8891 }));
  assert.equal(collections[0].provider.provideJupyterServers(undefined).length, 2);
});
