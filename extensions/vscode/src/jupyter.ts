// Opening a service's URL, and offering the Jupyter server to the Jupyter extension when it is there.
import * as vscode from 'vscode';
import { ServiceInfo } from './protocol';
import { joinExternal, serviceOrigin } from './serviceUrl';

// asExternalUri maps a localhost URL to one the user's browser can reach (port forwarding in remote
// and web VS Code; the same URL on a desktop).
export async function openServiceUrl(info: ServiceInfo): Promise<vscode.Uri> {
  const base = await vscode.env.asExternalUri(vscode.Uri.parse(serviceOrigin(info.url)));
  const external = vscode.Uri.parse(joinExternal(base.toString(true), info.url), true);
  await vscode.env.openExternal(external);
  return external;
}

// The part of the Jupyter extension's API (ms-toolsai.jupyter, `createJupyterServerCollection`) that
// is used here, declared rather than imported.
interface JupyterServer {
  id: string;
  label: string;
  connectionInformation?: { baseUrl: vscode.Uri; token?: string };
}
interface JupyterServerProvider {
  provideJupyterServers(token: vscode.CancellationToken): vscode.ProviderResult<JupyterServer[]>;
  resolveJupyterServer(server: JupyterServer, token: vscode.CancellationToken): vscode.ProviderResult<JupyterServer>;
}
interface JupyterApi {
  createJupyterServerCollection(id: string, label: string, provider: JupyterServerProvider): vscode.Disposable;
}

export const JupyterExtensionId = 'ms-toolsai.jupyter';

// Registers (once) a server collection with the Jupyter extension that lists the container's Jupyter;
// `servers` is read each time the extension asks. Returns false when the Jupyter extension is absent.
export async function offerToJupyterExtension(
  servers: () => ServiceInfo[],
  registered: { collection?: vscode.Disposable },
): Promise<boolean> {
  const ext = vscode.extensions.getExtension<JupyterApi>(JupyterExtensionId);
  if (!ext) return false;
  if (registered.collection) return true;
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!api || typeof api.createJupyterServerCollection !== 'function') return false;
  const toServer = (s: ServiceInfo, i: number): JupyterServer => {
    // The server's root (the URL's page, /lab or /tree, is not its base), and its token.
    const url = new URL(s.url);
    const token = url.searchParams.get('token') ?? undefined;
    return {
      id: `dlcontainer-${i}`,
      label: `Container: ${url.host}`,
      connectionInformation: { baseUrl: vscode.Uri.parse(`${url.protocol}//${url.host}/`), token },
    };
  };
  registered.collection = api.createJupyterServerCollection('dlcontainer', 'dlcontainer (Jupyter in the container)', {
    provideJupyterServers: () => servers().map(toServer),
    resolveJupyterServer: (server) => server,
  });
  return true;
}
