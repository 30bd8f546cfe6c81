// Test only, for the end-to-end run: Pylance is not installable without the marketplace, so this
// starts pyright's own language server (npm's pyright, the analyser inside Pylance) through
// vscode-languageclient, as pyright's VS Code extension does. It adds nothing of its own: completions,
// hovers and diagnostics are pyright's, read from the folder's settings through workspace/configuration
// (python.analysis.extraPaths: what dlcontainer's extension writes). run.sh bundles it with esbuild and
// passes the server's path in DLC_E2E_PYRIGHT_LANGSERVER.
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

exports.activate = async function activate() {
  const module = process.env.DLC_E2E_PYRIGHT_LANGSERVER;
  if (!module) throw new Error('DLC_E2E_PYRIGHT_LANGSERVER is not set: the path of pyright/langserver.index.js');
  client = new LanguageClient(
    'e2e-pyright',
    'pyright (e2e)',
    { module, transport: TransportKind.ipc },
    {
      documentSelector: [{ scheme: 'file', language: 'python' }],
      // Changes to these sections (the settings file dlcontainer edits) are sent to the server, which
      // asks for the new values and analyses again.
      synchronize: { configurationSection: ['python', 'pyright'] },
    },
  );
  await client.start();
};

exports.deactivate = function deactivate() {
  return client?.stop();
};
