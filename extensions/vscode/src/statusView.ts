// What the status bar item says for a workspace's status: container state, GPU name(s) and how they
// are attached. Pure, so it is tested without VS Code.
import { WorkspaceStatus } from './protocol';

export interface StatusView {
  text: string;
  tooltip: string;
  warning: boolean;
}

function gpuNames(status: WorkspaceStatus): string[] {
  const g = status.gpu;
  if (!g || g.method === 'none') return [];
  if (g.names?.length) return g.names;
  return (g.indices ?? []).map((i) => `GPU ${i}`);
}

// "2× NVIDIA H100" for equal names, else the names joined.
function summarizeGpus(names: string[]): string {
  if (names.length === 0) return '';
  if (names.every((n) => n === names[0])) return names.length > 1 ? `${names.length}× ${names[0]}` : names[0];
  return names.join(', ');
}

export function statusView(status: WorkspaceStatus | undefined, busy?: string, serverError?: string): StatusView {
  if (serverError) {
    return {
      text: '$(error) dlcontainer: server not running',
      tooltip: `${serverError}\nClick for dlcontainer commands; "Show Output" has the details.`,
      warning: true,
    };
  }
  if (busy) {
    return { text: `$(sync~spin) dlcontainer: ${busy}`, tooltip: `dlcontainer: ${busy}`, warning: false };
  }
  if (!status || status.state === 'none' || !status.state) {
    return {
      text: '$(vm-outline) dlcontainer: no container',
      tooltip: 'No container for this folder yet. Click for dlcontainer commands.',
      warning: false,
    };
  }
  const names = gpuNames(status);
  const method = status.gpu?.method;
  let gpu = summarizeGpus(names);
  if (gpu && method && method !== 'none') gpu += ` (${method})`;
  if (!gpu && status.state === 'running') gpu = 'no GPU';
  const text = `$(${status.state === 'running' ? 'vm-running' : 'vm-outline'}) dlcontainer: ${status.state}${gpu ? ` · ${gpu}` : ''}`;
  const lines = [
    `Container: ${status.containerName ?? status.containerId?.slice(0, 12) ?? '?'} (${status.state})`,
    status.image ? `Image: ${status.image}` : '',
    names.length
      ? `GPUs: ${names.join(', ')}${method ? ` via ${method}` : ''}`
      : `GPUs: none attached${status.gpu?.reason ? ` (${status.gpu.reason})` : ''}`,
    ...(status.ports ?? []).map((p) => `Port ${p.containerPort} → ${p.hostIp ?? '127.0.0.1'}:${p.hostPort}`),
    status.outOfDate ? 'devcontainer.json changed since this container was made: Rebuild Container applies it.' : '',
    'Click for dlcontainer commands.',
  ].filter((l) => l !== '');
  return { text, tooltip: lines.join('\n'), warning: status.outOfDate === true || status.state === 'exited' };
}
