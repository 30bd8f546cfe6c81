// The connection to `dlcontainer serve --stdio`: starts the process, speaks JSON-RPC with LSP framing
// through vscode-jsonrpc, and turns the server's notifications into callbacks. It imports nothing of
// `vscode`, so the unit tests drive it against a real server process.
import { ChildProcess, spawn } from 'node:child_process';
import * as rpc from 'vscode-jsonrpc/node';
import { InitializeParams, InitializeResult, Notifications, ProgressParams, Requests } from './protocol';

// The protocol's types by method name (src/protocol.ts is generated from schemas/protocol/): a call
// with the wrong params, or a result read as the wrong type, does not compile.
export type Method = keyof Requests;
export type ResultOf<M extends Method> = Requests[M]['result'];
// What a caller gives: the params without the tokens this client adds itself.
export type ParamsOf<M extends Method> = Omit<Requests[M]['params'], 'workDoneToken' | 'outputToken'>;
export type ProgressValue = ProgressParams['value'];
export type DidChangeStatusParams = Notifications['workspace/didChangeStatus'];
export type LogMessageParams = Notifications['window/logMessage'];
type OutputParams = Notifications['workspace/output'];
// Requests whose command output can be streamed with an outputToken.
export type StreamingMethod = 'workspace/exec' | 'workspace/logs';

export interface StartOptions {
  binary: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  clientName?: string;
  clientVersion?: string;
  // Lines the server writes to stderr (its own log), for an output channel.
  onStderr?: (text: string) => void;
}

export interface RequestOptions {
  token?: rpc.CancellationToken;
  // When given, the request carries a workDoneToken and every $/progress for it lands here.
  onProgress?: (value: ProgressValue) => void;
}

export type Listener<T> = (value: T) => void;

class Emitter<T> {
  private listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): rpc.Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}

export class DlcClient {
  readonly initializeResult: InitializeResult;
  private readonly methods: Set<string> | undefined;
  private readonly progress = new Map<string | number, (v: ProgressValue) => void>();
  private readonly outputs = new Map<string | number, (data: string, stream: 'stdout' | 'stderr') => void>();
  private nextToken = 1;
  private readonly statusEmitter = new Emitter<DidChangeStatusParams>();
  private readonly logEmitter = new Emitter<LogMessageParams>();
  private readonly exitEmitter = new Emitter<{ code: number | null; signal: string | null; expected: boolean }>();
  private stopping = false;
  private exited = false;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly conn: rpc.MessageConnection,
    init: InitializeResult,
  ) {
    this.initializeResult = init;
    const list = init.capabilities?.methods;
    this.methods = Array.isArray(list) ? new Set(list) : undefined;
  }

  // Starts the server and completes the initialize / initialized handshake.
  static async start(opts: StartOptions): Promise<DlcClient> {
    const proc = spawn(opts.binary, opts.args ?? ['serve', '--stdio'], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const spawned = new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', reject);
    });
    await spawned;
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (text: string) => opts.onStderr?.(text));

    const conn = rpc.createMessageConnection(
      new rpc.StreamMessageReader(proc.stdout!),
      new rpc.StreamMessageWriter(proc.stdin!),
    );
    // Handlers that must exist before the first message can arrive.
    // Notifications that arrive before the client object exists (the handshake is still going).
    const early: { progress: ProgressParams[]; status: DidChangeStatusParams[]; log: LogMessageParams[]; output: OutputParams[] } = {
      progress: [],
      status: [],
      log: [],
      output: [],
    };
    let client: DlcClient | undefined;
    conn.onNotification('$/progress', (p: ProgressParams) => (client ? client.dispatchProgress(p) : early.progress.push(p)));
    // vscode-jsonrpc keeps one handler per method: streams are told apart by token here.
    conn.onNotification('workspace/output', (p: OutputParams) => (client ? client.dispatchOutput(p) : early.output.push(p)));
    conn.onNotification('workspace/didChangeStatus', (s: DidChangeStatusParams) =>
      client ? client.statusEmitter.fire(s) : early.status.push(s),
    );
    conn.onNotification('window/logMessage', (m: LogMessageParams) => (client ? client.logEmitter.fire(m) : early.log.push(m)));
    // Server-initiated progress tokens (LSP's window/workDoneProgress/create): accept them.
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.listen();

    const exitedEarly = new Promise<never>((_, reject) => {
      proc.once('exit', (code, signal) =>
        reject(new Error(`dlcontainer serve exited before initializing (code ${code}, signal ${signal})`)),
      );
    });
    const params: InitializeParams = {
      processId: process.pid,
      clientInfo: { name: opts.clientName ?? 'dlcontainer-vscode', version: opts.clientVersion ?? '0' },
      capabilities: { window: { workDoneProgress: true } },
    };
    const init = (await Promise.race([conn.sendRequest('initialize', params), exitedEarly])) as InitializeResult;
    exitedEarly.catch(() => undefined);
    const initialized: Notifications['initialized'] = {};
    await conn.sendNotification('initialized', initialized);

    client = new DlcClient(proc, conn, init);
    proc.on('exit', (code, signal) => {
      client!.exited = true;
      client!.exitEmitter.fire({ code, signal, expected: client!.stopping });
    });
    early.progress.forEach((p) => client!.dispatchProgress(p));
    early.status.forEach((s) => client!.statusEmitter.fire(s));
    early.log.forEach((m) => client!.logEmitter.fire(m));
    early.output.forEach((p) => client!.dispatchOutput(p));
    return client;
  }

  get serverVersion(): string {
    return this.initializeResult.serverInfo?.version ?? 'unknown';
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return !this.exited;
  }

  // Whether the server offers a method (when it lists its methods; otherwise assume it does and let
  // the server answer -32601).
  supports(method: string): boolean {
    return this.methods === undefined || this.methods.has(method);
  }

  async request<M extends Method>(method: M, params: ParamsOf<M>, opts: RequestOptions = {}): Promise<ResultOf<M>> {
    let token: string | undefined;
    const body: Record<string, unknown> = { ...params };
    if (opts.onProgress) {
      token = `dlc-vscode-${this.nextToken++}`;
      this.progress.set(token, opts.onProgress);
      body.workDoneToken = token;
    }
    try {
      if (opts.token) return (await this.conn.sendRequest(method, body, opts.token)) as ResultOf<M>;
      return (await this.conn.sendRequest(method, body)) as ResultOf<M>;
    } finally {
      if (token !== undefined) this.progress.delete(token);
    }
  }

  notify<N extends keyof Notifications>(method: N, params: Notifications[N]): Promise<void> {
    return this.conn.sendNotification(method, params);
  }

  onDidChangeStatus(listener: Listener<DidChangeStatusParams>): rpc.Disposable {
    return this.statusEmitter.on(listener);
  }

  onLogMessage(listener: Listener<LogMessageParams>): rpc.Disposable {
    return this.logEmitter.on(listener);
  }

  // The server process ended; `expected` when stop() ended it.
  onExit(listener: Listener<{ code: number | null; signal: string | null; expected: boolean }>): rpc.Disposable {
    return this.exitEmitter.on(listener);
  }

  // shutdown, exit, and the process gone: killed when it does not leave within timeoutMs.
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.exited) {
      this.conn.dispose();
      return;
    }
    this.stopping = true;
    const gone = new Promise<void>((resolve) => {
      if (this.exited) resolve();
      else this.proc.once('exit', () => resolve());
    });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    try {
      const shutdown: Requests['shutdown']['params'] = null;
      await Promise.race([this.conn.sendRequest('shutdown', shutdown), gone]);
      await this.conn.sendNotification('exit');
    } catch {
      // The connection may already be closed; the timer ends the process either way.
    }
    await gone;
    clearTimeout(timer);
    this.conn.dispose();
  }

  // A request whose command output is streamed: it carries an outputToken, and every
  // workspace/output for that token lands in onOutput until the request ends.
  async requestStreaming<M extends StreamingMethod>(
    method: M,
    params: ParamsOf<M>,
    onOutput: (data: string, stream: 'stdout' | 'stderr') => void,
    opts: RequestOptions = {},
  ): Promise<ResultOf<M>> {
    const token = `dlc-vscode-out-${this.nextToken++}`;
    this.outputs.set(token, onOutput);
    try {
      return await this.request(method, { ...params, outputToken: token } as ParamsOf<M>, opts);
    } finally {
      this.outputs.delete(token);
    }
  }

  private dispatchProgress(p: ProgressParams): void {
    this.progress.get(p.token)?.(p.value);
  }

  private dispatchOutput(p: OutputParams): void {
    this.outputs.get(p.token)?.(p.data, p.stream);
  }
}
