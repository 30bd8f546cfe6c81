// A full editor in the container, through what the user has: VS Code Dev Containers (the container
// carries its labels, so "Reopen in Container" finds it), Remote-SSH (with `ssh-config`'s Host entry),
// or code-server in the browser. Pure pieces, tested without VS Code.
import * as path from 'node:path';

export const DevContainersId = 'ms-vscode-remote.remote-containers';
export const RemoteSshId = 'ms-vscode-remote.remote-ssh';

export type EditorWay = 'devContainers' | 'remoteSsh' | 'codeServer';

export interface WayItem {
  way: EditorWay;
  label: string;
  detail: string;
}

// The ways open here, best first: those whose extension is installed, and the browser always.
export function editorWays(installed: (id: string) => boolean): WayItem[] {
  const ways: WayItem[] = [];
  if (installed(DevContainersId)) {
    ways.push({ way: 'devContainers', label: 'Reopen in Container (Dev Containers)', detail: 'VS Code runs its server in the container' });
  }
  if (installed(RemoteSshId)) {
    ways.push({ way: 'remoteSsh', label: 'Connect through Remote-SSH', detail: "over the container's SSH server (customizations.dlcontainer.ssh)" });
  }
  ways.push({ way: 'codeServer', label: 'VS Code in the Browser (code-server)', detail: 'code-server in the container, on 127.0.0.1 with a password' });
  return ways;
}

// The Remote-SSH folder URI for a Host alias and a folder in the container.
export function remoteSshUri(host: string, folder: string): string {
  return `vscode-remote://ssh-remote+${encodeURIComponent(host)}${folder.split('/').map(encodeURIComponent).join('/')}`;
}

// The Include line that makes ssh (and Remote-SSH, which reads ~/.ssh/config) know dlcontainer's Host
// entries: every workspace's config file under the state folder that holds `configFile`.
export function includeLine(configFile: string): string {
  const hostsDir = path.dirname(path.dirname(configFile));
  return `Include ${path.join(hostsDir, '*', 'config')}`;
}

// ~/.ssh/config with the Include line first (an Include after a Host block would apply only to that
// host); unchanged when it is there already. Nothing of the user's is removed.
export function withInclude(text: string, line: string): string {
  const lines = text.split('\n');
  if (lines.some((l) => l.trim() === line)) return text;
  return `# Added by dlcontainer: its containers' SSH hosts\n${line}\n\n${text}`;
}
