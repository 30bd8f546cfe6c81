// From a `dlcontainer` launch configuration to the request the server answers, and from its answer to
// the configuration VS Code's own debuggers run: `debugpy` attach (connect + pathMappings) for Python,
// `cppdbg` with miDebuggerServerAddress for C++. The server knows the ports and the folders; the
// extension only passes them on.
import { DebugAnswer } from './protocol';

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

export interface DebugRequest {
  method: 'debug/python' | 'debug/gdb';
  params: Record<string, unknown>;
}

export class DebugConfigError extends Error {}

export function debugRequest(config: DlcDebugConfiguration, workspace: string): DebugRequest {
  const language = config.language ?? 'python';
  if (language !== 'python' && language !== 'cpp') {
    throw new DebugConfigError(`"language" must be "python" or "cpp", not "${String(language)}"`);
  }
  const method = language === 'python' ? 'debug/python' : 'debug/gdb';
  const params: Record<string, unknown> = { workspace };
  if (config.request === 'attach') {
    const pid = Number(config.processId);
    if (!Number.isInteger(pid) || pid <= 0) {
      throw new DebugConfigError('an attach configuration needs "processId": the process id inside the container');
    }
    params.pid = pid;
  } else {
    if (!config.program) throw new DebugConfigError('a launch configuration needs "program"');
    params.command = [inContainer(config.program, workspace), ...(config.args ?? [])];
    // Python waits for the debugger before the first line, so no breakpoint is missed.
    if (language === 'python') params.wait = config.wait ?? true;
  }
  return { method, params };
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
export function attachConfiguration(answer: DebugAnswer, config: DlcDebugConfiguration): Record<string, unknown> {
  const inner = (answer.launch ?? answer.configuration ?? answer) as Record<string, unknown>;
  if (typeof inner.type !== 'string' || typeof inner.request !== 'string') {
    throw new DebugConfigError('the server answered without a debug configuration (no "type"/"request")');
  }
  return { ...inner, name: config.name || inner.name };
}
