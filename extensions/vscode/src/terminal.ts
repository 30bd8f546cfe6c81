// "Open Terminal in Container": a VS Code pseudoterminal whose input, output and size travel over an
// interactive `workspace/exec` with a TTY.
import * as vscode from 'vscode';
import type { ExecSession } from './client';

export type ExecStarter = (size: { cols: number; rows: number } | undefined) => Promise<ExecSession>;

export class ContainerPty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private session: ExecSession | undefined;
  private closed = false;

  constructor(
    private readonly start: ExecStarter,
    private readonly describeError: (err: unknown) => string,
  ) {}

  open(initialDimensions: vscode.TerminalDimensions | undefined): void {
    const size = initialDimensions ? { cols: initialDimensions.columns, rows: initialDimensions.rows } : undefined;
    this.start(size).then(
      (session) => {
        if (this.closed) {
          session.close();
          return;
        }
        this.session = session;
        session.onOutput((data) => this.writeEmitter.fire(data));
        session.done.then(
          (code) => {
            this.writeEmitter.fire(`\r\n[process exited with status ${code}]\r\n`);
            this.closeEmitter.fire(code);
          },
          (err) => this.fail(err),
        );
      },
      (err) => this.fail(err),
    );
  }

  handleInput(data: string): void {
    this.session?.write(data);
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    this.session?.resize(d.columns, d.rows);
  }

  close(): void {
    this.closed = true;
    this.session?.close();
  }

  private fail(err: unknown): void {
    // The terminal stays open so that the message can be read; the user closes it.
    this.writeEmitter.fire(`\r\n\x1b[31m${this.describeError(err).replace(/\n/g, '\r\n')}\x1b[0m\r\n`);
  }
}
