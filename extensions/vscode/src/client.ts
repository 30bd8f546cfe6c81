// The connection to `dlcontainer serve --stdio`: starts the process, speaks JSON-RPC with LSP framing
// through vscode-jsonrpc, and turns the server's notifications into callbacks. It imports nothing of
// `vscode`, so the unit tests drive it against a real server process.
import { ChildProcess, spawn } from 'node:child_process';
import * as rpc from 'vscode-jsonrpc/node';
import {
  DidChangeStatusParams,
  InitializeResult,
  LogMessageParams,
  Methods,
  Notifications,
  OutputParams,
  ProgressParams,
  ProgressValue,
} from './protocol';

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
    const list = init.capabilities?.methods ?? init.methods;
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
    conn.onNotification(Notifications.progress, (p: ProgressParams) =>
      client ? client.dispatchProgress(p) : early.progress.push(p),
    );
    // vscode-jsonrpc keeps one handler per method: streams are told apart by token here.
    conn.onNotification(Notifications.output, (p: OutputParams) => (client ? client.dispatchOutput(p) : early.output.push(p)));
    conn.onNotification(Notifications.didChangeStatus, (s: DidChangeStatusParams) =>
      client ? client.statusEmitter.fire(s) : early.status.push(s),
    );
    conn.onNotification(Notifications.logMessage, (m: LogMessageParams) =>
      client ? client.logEmitter.fire(m) : early.log.push(m),
    );
    // Server-initiated progress tokens (LSP's window/workDoneProgress/create): accept them.
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.listen();

    const exitedEarly = new Promise<never>((_, reject) => {
      proc.once('exit', (code, signal) =>
        reject(new Error(`dlcontainer serve exited before initializing (code ${code}, signal ${signal})`)),
      );
    });
    const init = (await Promise.race([
      conn.sendRequest(Methods.initialize, {
        processId: process.pid,
        clientInfo: { name: opts.clientName ?? 'dlcontainer-vscode', version: opts.clientVersion ?? '0' },
        capabilities: { window: { workDoneProgress: true } },
      }),
      exitedEarly,
    ])) as InitializeResult;
    exitedEarly.catch(() => undefined);
    await conn.sendNotification(Methods.initialized, {});

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

  async request<R>(method: string, params: object, opts: RequestOptions = {}): Promise<R> {
    let token: string | undefined;
    const body: Record<string, unknown> = { ...params };
    if (opts.onProgress) {
      token = `dlc-vscode-${this.nextToken++}`;
      this.progress.set(token, opts.onProgress);
      body.workDoneToken = token;
    }
    try {
      if (opts.token) return (await this.conn.sendRequest(method, body, opts.token)) as R;
      return (await this.conn.sendRequest(method, body)) as R;
    } finally {
      if (token !== undefined) this.progress.delete(token);
    }
  }

  notify(method: string, params: object): Promise<void> {
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
      await Promise.race([this.conn.sendRequest(Methods.shutdown, null), gone]);
      await this.conn.sendNotification(Methods.exit);
    } catch {
      // The connection may already be closed; the timer ends the process either way.
    }
    await gone;
    clearTimeout(timer);
    this.conn.dispose();
  }

  // A request whose command output is streamed: it carries an outputToken, and every
  // workspace/output for that token lands in onOutput until the request ends.
  async requestStreaming<R>(
    method: string,
    params: object,
    onOutput: (data: string, stream: 'stdout' | 'stderr') => void,
    opts: RequestOptions = {},
  ): Promise<R> {
    const token = `dlc-vscode-out-${this.nextToken++}`;
    this.outputs.set(token, onOutput);
    try {
      return await this.request<R>(method, { ...params, outputToken: token }, opts);
    } finally {
      this.outputs.delete(token);
    }
  }

  private dispatchProgress(p: ProgressParams): void {
    this.progress.get(p.token)?.(p.value);
  }

  private dispatchOutput(p: OutputParams): void {
    this.outputs.get(p.token)?.(p.data ?? '', p.stream === 'stderr' ? 'stderr' : 'stdout');
  }
}
