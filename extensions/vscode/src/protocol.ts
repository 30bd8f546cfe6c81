// The wire shapes of `dlcontainer serve` as this extension uses them. The server is the truth:
// docs/protocol.md and schemas/protocol/ describe every method; these types name only the fields the
// extension reads, so a server that adds fields needs no change here.

export const Methods = {
  initialize: 'initialize',
  initialized: 'initialized',
  shutdown: 'shutdown',
  exit: 'exit',
  up: 'workspace/up',
  down: 'workspace/down',
  status: 'workspace/status',
  list: 'workspace/list',
  exec: 'workspace/exec',
  logs: 'workspace/logs',
  plan: 'workspace/plan',
  doctor: 'doctor',
  jupyter: 'services/jupyter',
  tensorboard: 'services/tensorboard',
  services: 'services/list',
  ports: 'ports/list',
  debugPython: 'debug/python',
  debugGdb: 'debug/gdb',
} as const;

export const Notifications = {
  progress: '$/progress',
  cancelRequest: '$/cancelRequest',
  logMessage: 'window/logMessage',
  didChangeStatus: 'workspace/didChangeStatus',
  // Streamed output of workspace/exec and workspace/logs, for the request's outputToken.
  output: 'workspace/output',
} as const;

export interface InitializeResult {
  serverInfo?: { name?: string; version?: string };
  capabilities?: { methods?: string[]; [key: string]: unknown };
  methods?: string[];
}

export interface PortBinding {
  containerPort: number;
  protocol?: string;
  hostIp?: string;
  hostPort: number;
}

// The GPUs a container has and how they were attached (the server's gpu::Attachment).
export interface GpuAttachment {
  method?: string; // toolkit | cdi | direct | none
  selection?: string; // what was asked: all, 2, device=0
  indices?: number[];
  uuids?: string[];
  names?: string[];
  reason?: string; // why this method, or why no GPU
}

export interface WorkspaceStatus {
  workspace: string;
  state: string; // none | running | exited | created | paused | ...
  containerId?: string;
  containerName?: string;
  image?: string;
  remoteUser?: string;
  remoteWorkspaceFolder?: string;
  outOfDate?: boolean;
  ports?: PortBinding[];
  gpu?: GpuAttachment;
}

export interface UpParams {
  workspace: string;
  rebuild?: boolean;
  noCache?: boolean;
  config?: string;
  gpus?: string; // all, 2, device=0,1, none; absent: as devcontainer.json says
  gpuAttach?: string; // auto | toolkit | cdi | direct | none
  mounts?: string[];
}

export interface UpResult extends WorkspaceStatus {
  outcome?: string;
  action?: string; // created | started | running
  commandsRun?: string[];
  warnings?: string[];
}

export interface DownResult {
  workspace: string;
  containerId?: string;
  action: string; // stopped | removed | none
}

export interface ExecParams {
  workspace: string;
  command: string[];
  tty?: boolean;
  user?: string;
  workingDir?: string;
  env?: Record<string, string>;
  input?: string; // all of stdin at once
  outputToken?: string | number; // stream output as workspace/output instead of collecting it
}

export interface LogsParams {
  workspace: string;
  follow?: boolean;
  tail?: number;
  outputToken?: string | number;
}

export interface OutputParams {
  token: string | number;
  stream?: 'stdout' | 'stderr';
  data: string;
}

// workspace/didChangeStatus: an engine event changed a workspace's container.
export interface DidChangeStatusParams {
  workspace: string;
  event: string; // the engine's action: start, die, stop, destroy, ...
  containerId?: string;
  status: WorkspaceStatus; // the status after the event
}

export interface ExecResult {
  exitCode: number;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
}

// Where a decision's input was read (inspect::Source).
export interface SourceRef {
  file: string;
  line?: number;
}

// One decision of a plan: what was chosen, why, and what was turned down (resolve::Decision).
export interface PlanDecision {
  topic?: string; // framework | cuda | python | image | flavor | apt | pip | gpu | source
  choice?: string;
  reason?: string;
  rejected?: string[];
  facts?: SourceRef[]; // the repository's files (and lines) the decision rests on
  citations?: string[];
}

// resolve::Plan; only the fields shown are named.
export interface Plan {
  mode?: string; // image | dockerfile | devcontainer
  baseImage?: string;
  framework?: string;
  frameworkVersion?: string;
  gpu?: boolean;
  cuda?: string;
  cudnn?: string;
  python?: string;
  flavor?: string; // runtime | devel
  driverRequired?: string;
  minorVersionCompatibility?: boolean;
  aptPackages?: string[];
  pipPackages?: string[];
  host?: string;
  dockerfile?: string;
  commitDate?: string;
  decisions?: Array<PlanDecision | string>;
  warnings?: string[];
  [key: string]: unknown;
}

// What workspace/plan answers, as `dlcontainer plan --json` prints it (core::PlanResult): the plan,
// the repository's facts, and for a built image the Dockerfile and its tag.
export interface PlanResult {
  workspace: string;
  plan: Plan;
  facts?: Record<string, unknown>;
  dockerfile?: string; // mode image: the Dockerfile `up` builds
  image?: string; // mode image: the tag it gets
}

// A service as the user reaches it (services/jupyter, services/tensorboard, debug/python, debug/gdb).
export interface ServiceInfo {
  kind?: string; // jupyter | tensorboard | debugpy | gdbserver
  url: string; // what to open (web services, with its token); "" for debuggers
  hostIp?: string;
  hostPort?: number;
  containerPort?: number;
  via?: string; // published | forwarded
  reused?: boolean; // it was running already
  detail?: string;
  notes?: string[]; // what the user should know (a container that cannot ptrace, ...)
  token?: string;
}

// What debug/python and debug/gdb answer: the service, with the launch.json entry that attaches.
export interface DebugAnswer extends Partial<ServiceInfo> {
  launch?: Record<string, unknown>;
  configuration?: Record<string, unknown>;
  [key: string]: unknown;
}

// $/progress values, as in LSP's work-done progress.
export interface ProgressBegin {
  kind: 'begin';
  title: string;
  message?: string;
  percentage?: number;
  cancellable?: boolean;
}
export interface ProgressReport {
  kind: 'report';
  message?: string;
  percentage?: number;
}
export interface ProgressEnd {
  kind: 'end';
  message?: string;
}
export type ProgressValue = ProgressBegin | ProgressReport | ProgressEnd;

export interface ProgressParams {
  token: string | number;
  value: ProgressValue;
}

export interface LogMessageParams {
  type: number; // 1 error, 2 warning, 3 info, 4 log
  message: string;
}

// The `data` of an error response from the server: which of dlc::ErrorCode it was, and what to do.
export interface ErrorData {
  code?: string;
  hint?: string;
  [key: string]: unknown;
}

// JSON-RPC's standard codes that the extension treats specially.
export const RequestCancelled = -32800;
