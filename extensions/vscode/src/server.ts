// One `dlcontainer serve --stdio` per window, started on first use and started again after it dies.
import * as vscode from 'vscode';
import { BinaryChoice, findServerBinary } from './binary';
import { DidChangeStatusParams, DlcClient } from './client';
import { config } from './config';

const logLevels = ['', 'error', 'warning', 'info', 'log'];

export class ServerManager implements vscode.Disposable {
  private starting: Promise<DlcClient> | undefined;
  private current: DlcClient | undefined;
  private readonly statusListeners = new Set<(s: DidChangeStatusParams) => void>();
  private readonly startListeners = new Set<(c: DlcClient) => void>();
  private disposed = false;

  constructor(
    private readonly extensionDir: string,
    private readonly output: vscode.OutputChannel,
    private readonly version: string,
  ) {}

  // The running client, starting the server when there is none.
  client(): Promise<DlcClient> {
    if (this.disposed) return Promise.reject(new Error('the dlcontainer extension is shutting down'));
    if (this.current?.running) return Promise.resolve(this.current);
    if (!this.starting) {
      this.starting = this.start().finally(() => (this.starting = undefined));
    }
    return this.starting;
  }

  get running(): DlcClient | undefined {
    return this.current?.running ? this.current : undefined;
  }

  onDidChangeStatus(listener: (s: DidChangeStatusParams) => void): vscode.Disposable {
    this.statusListeners.add(listener);
    return new vscode.Disposable(() => this.statusListeners.delete(listener));
  }

  // Called with each newly started client (after a restart too), to subscribe to what it reports.
  onDidStart(listener: (c: DlcClient) => void): vscode.Disposable {
    this.startListeners.add(listener);
    return new vscode.Disposable(() => this.startListeners.delete(listener));
  }

  async restart(): Promise<DlcClient> {
    const old = this.current;
    this.current = undefined;
    await old?.stop();
    return this.client();
  }

  // The binary the server runs from (the setting, else PATH, else bundled); the terminal uses it too.
  binary(): BinaryChoice {
    return findServerBinary({ setting: config.serverPath(), pathEnv: process.env.PATH, extensionDir: this.extensionDir });
  }

  private async start(): Promise<DlcClient> {
    const binary = this.binary();
    this.output.appendLine(`starting ${binary.path} serve --stdio (from ${binary.source})`);
    const client = await DlcClient.start({
      binary: binary.path,
      clientName: 'vscode',
      clientVersion: `${vscode.version} dlcontainer-vscode ${this.version}`,
      onStderr: (text) => this.output.append(text),
    });
    this.output.appendLine(`dlcontainer serve ${client.serverVersion} ready (pid ${client.pid})`);
    client.onLogMessage((m) => this.output.appendLine(`[${logLevels[m.type] ?? 'log'}] ${m.message}`));
    client.onDidChangeStatus((s) => this.statusListeners.forEach((l) => l(s)));
    client.onExit(({ code, signal, expected }) => {
      if (this.current === client) this.current = undefined;
      if (!expected && !this.disposed) {
        this.output.appendLine(`dlcontainer serve exited (code ${code}, signal ${signal}); it starts again on next use`);
      }
    });
    this.current = client;
    this.startListeners.forEach((l) => l(client));
    return client;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    // A start in progress finishes first, so that its process is stopped too.
    const c = this.current ?? (await this.starting?.catch(() => undefined));
    this.current = undefined;
    await c?.stop();
  }
}
