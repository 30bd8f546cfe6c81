// Read-only documents for the plan, the doctor's report and logs.
import * as vscode from 'vscode';

export const DocScheme = 'dlcontainer';

export class DocumentStore implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
  async show(name: string, content: string): Promise<vscode.Uri> {
    const uri = vscode.Uri.from({ scheme: DocScheme, path: `/${name}` });
    this.docs.set(uri.toString(), content);
    this.emitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return uri;
  }
}
