// From a `dlcontainer` launch configuration to the request the server answers, and from its answer to
// the configuration VS Code's own debuggers run: `debugpy` attach (connect + pathMappings) for Python,
// `cppdbg` with miDebuggerServerAddress for C++. The server knows the ports and the folders; the
// extension only passes them on.
import { ParamsOf } from './client';
import { ServiceInfo } from './protocol';

export interface DlcDebugConfiguration {
  type: 'dlcontainer';
  request: 'launch' | 'attach';
  name: string;
  language?: 'python' | 'cpp';
  program?: string;
  args?: string[];
  processId?: number | string;
  wait?: boolean;
  [key: string]: unknown;
}

export type DebugRequest =
  | { method: 'debug/python'; params: ParamsOf<'debug/python'> }
  | { method: 'debug/gdb'; params: ParamsOf<'debug/gdb'> };

export class DebugConfigError extends Error {}

export function debugRequest(config: DlcDebugConfiguration, workspace: string): DebugRequest {
  const language = config.language ?? 'python';
  if (language !== 'python' && language !== 'cpp') {
    throw new DebugConfigError(`"language" must be "python" or "cpp", not "${String(language)}"`);
  }
  if (config.request === 'attach') {
    const pid = Number(config.processId);
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new DebugConfigError('an attach configuration needs "processId": the process id inside the container');
    }
    return language === 'python' ? { method: 'debug/python', params: { workspace, pid } } : { method: 'debug/gdb', params: { workspace, pid } };
  }
  if (!config.program) throw new DebugConfigError('a launch configuration needs "program"');
  const command = [inContainer(config.program, workspace), ...(config.args ?? [])];
  // Python waits for the debugger before the first line, so no breakpoint is missed.
  if (language === 'python') return { method: 'debug/python', params: { workspace, command, wait: config.wait ?? true } };
  return { method: 'debug/gdb', params: { workspace, command } };
}

// The command runs in the container, in the workspace folder: a host path inside the workspace becomes
// relative to it; one outside cannot be reached from the container.
function inContainer(program: string, workspace: string): string {
  if (!program.startsWith('/')) return program;
  const root = workspace.endsWith('/') ? workspace : `${workspace}/`;
  if (program.startsWith(root)) return program.slice(root.length);
  throw new DebugConfigError(`${program} is not in the workspace folder ${workspace}: the container sees only the workspace`);
}

// The server answers with the launch.json entry (`launch`); the extension keeps it as it is and only
// gives it the user's name.
export function attachConfiguration(answer: ServiceInfo, config: DlcDebugConfiguration): Record<string, unknown> {
  const launch = answer.launch;
  if (!launch) throw new DebugConfigError('the server answered without a debug configuration (no "launch")');
  return { ...launch, name: config.name || launch.name };
}
