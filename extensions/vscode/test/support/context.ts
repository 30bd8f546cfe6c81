// The ExtensionContext the tests activate the extension with: its state kept in maps the test can read.
import * as path from 'node:path';
import type * as vscode from 'vscode';

function memento(state: Map<string, unknown>) {
  return {
    get: (k: string) => state.get(k),
    update: async (k: string, v: unknown) => void (v === undefined ? state.delete(k) : state.set(k, v)),
    keys: () => [...state.keys()],
  };
}

export function fakeContext(globalState = new Map<string, unknown>(), workspaceState = new Map<string, unknown>()): vscode.ExtensionContext {
  return {
    subscriptions: [],
    extensionPath: path.resolve(__dirname, '../..'),
    extension: { packageJSON: { version: '0.0.0-test' } },
    globalState: memento(globalState),
    workspaceState: memento(workspaceState),
  } as unknown as vscode.ExtensionContext;
}
