// Long requests run under window.withProgress: the server's $/progress for the request's
// workDoneToken feeds the notification, and its Cancel button cancels the request ($/cancelRequest,
// sent by vscode-jsonrpc when the token fires).
import * as vscode from 'vscode';
import { ProgressValue } from './client';

export interface ProgressStep {
  message?: string;
  increment?: number;
}

// Turns $/progress values into withProgress reports: VS Code wants increments, the server sends
// percentages. The notification has its own title, so begin's title (the method's name) is not shown;
// the messages (the steps: "Building image", "Running postCreateCommand") are.
export class ProgressTranslator {
  private percent = 0;

  translate(value: ProgressValue): ProgressStep | undefined {
    if (value.kind === 'end') return undefined;
    const step: ProgressStep = {};
    if (value.message) step.message = value.message;
    if (typeof value.percentage === 'number') {
      const p = Math.max(this.percent, Math.min(100, value.percentage));
      if (p > this.percent) step.increment = p - this.percent;
      this.percent = p;
    }
    return step;
  }
}

export type ProgressWork<T> = (
  onProgress: (value: ProgressValue) => void,
  token: vscode.CancellationToken,
) => Promise<T>;

export function withServerProgress<T>(title: string, work: ProgressWork<T>, output?: vscode.OutputChannel): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      const t = new ProgressTranslator();
      return work((value) => {
        if (output && value.kind !== 'end' && value.message) output.appendLine(value.message);
        const step = t.translate(value);
        if (step) progress.report(step);
      }, token);
    },
  );
}
