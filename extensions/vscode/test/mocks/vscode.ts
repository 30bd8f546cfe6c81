// A stand-in for the `vscode` module, for the UI calls only: it records what the extension shows and
// answers dialogs as a test scripts them. Everything behind the UI (the server, the engine) is real.
import * as path from 'node:path';

export const version = '1.100.3-mock';

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => unknown) {}
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  private cancelled = false;
  readonly token: { readonly isCancellationRequested: boolean; onCancellationRequested: EventEmitter<void>['event'] };
  constructor() {
    const source = this;
    this.token = {
      get isCancellationRequested() {
        return source.cancelled;
      },
      onCancellationRequested: this.emitter.event,
    };
  }
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', '', path.resolve(p), '', '');
  }
  static parse(s: string): Uri {
    const u = new URL(s);
    return new Uri(u.protocol.replace(/:$/, ''), u.host, decodeURIComponent(u.pathname), u.search.replace(/^\?/, ''), u.hash.replace(/^#/, ''));
  }
  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(c.scheme, c.authority ?? '', c.path ?? '', c.query ?? '', c.fragment ?? '');
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    if (this.scheme === 'file') return `file://${this.path}`;
    const q = this.query ? `?${this.query}` : '';
    const f = this.fragment ? `#${this.fragment}` : '';
    return `${this.scheme}://${this.authority}${this.path}${q}${f}`;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(readonly id: string) {}
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}
export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}

// ---- what the extension showed, and how dialogs answer --------------------------------------------

export interface ShownMessage {
  severity: 'info' | 'warning' | 'error';
  message: string;
  options?: unknown;
  items: string[];
}

export interface ProgressRun {
  title: string;
  reports: Array<{ message?: string; increment?: number }>;
  cancel: () => void;
}

class MockOutputChannel {
  text = '';
  constructor(readonly name: string) {}
  append(s: string): void {
    this.text += s;
  }
  appendLine(s: string): void {
    this.text += `${s}\n`;
  }
  clear(): void {
    this.text = '';
  }
  show(): void {}
  hide(): void {}
  dispose(): void {}
}

class MockStatusBarItem {
  text = '';
  tooltip: string | undefined;
  command: string | undefined;
  name: string | undefined;
  backgroundColor: ThemeColor | undefined;
  visible = false;
  constructor(readonly id: string) {}
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {}
}

export const mock = {
  messages: [] as ShownMessage[],
  progress: [] as ProgressRun[],
  outputs: new Map<string, MockOutputChannel>(),
  statusItems: [] as MockStatusBarItem[],
  opened: [] as Uri[],
  externalUris: [] as Uri[],
  documents: [] as Array<{ uri: Uri; text: string }>,
  debugSessions: [] as Array<{ folder: unknown; config: Record<string, unknown> }>,
  executed: [] as Array<{ command: string; args: unknown[] }>,
  terminals: [] as Array<{ name: string; shellPath?: string; shellArgs?: string[] }>,
  settings: new Map<string, unknown>(),
  debugProviders: new Map<string, unknown>(),
  extensions: new Map<string, unknown>(),
  clipboard: '',
  // Answers a message/dialog: return the chosen item's title, or undefined to dismiss.
  answer: (_m: ShownMessage): string | undefined => undefined,
  // Picks from a quick pick: return the chosen item.
  pick: (_items: unknown[]): unknown => undefined,
  // When set, withProgress cancels its token once this returns true for a report.
  cancelWhen: undefined as undefined | ((run: ProgressRun) => boolean),
  activeFile: undefined as string | undefined,
  // Answers "Open Folder" dialogs.
  openDialog: (): Uri[] | undefined => undefined,
  reset(): void {
    this.messages = [];
    this.progress = [];
    this.outputs.clear();
    this.statusItems = [];
    this.opened = [];
    this.externalUris = [];
    this.documents = [];
    this.debugSessions = [];
    this.executed = [];
    this.terminals = [];
    this.settings.clear();
    this.extensions.clear();
    this.clipboard = '';
    this.answer = () => undefined;
    this.pick = () => undefined;
    this.cancelWhen = undefined;
    this.activeFile = undefined;
    this.openDialog = () => undefined;
    workspace.workspaceFolders = undefined;
    commandHandlers.clear();
    contentProviders.clear();
    this.debugProviders.clear();
  },
  // Resolves when `predicate` holds, polling every 50 ms; rejects after timeoutMs.
  async until(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  },
};

function show(severity: ShownMessage['severity']) {
  return (message: string, ...rest: unknown[]): Promise<string | undefined> => {
    let options: unknown;
    if (rest.length && typeof rest[0] === 'object' && rest[0] !== null) options = rest.shift();
    const m: ShownMessage = { severity, message, options, items: rest as string[] };
    mock.messages.push(m);
    return Promise.resolve(mock.answer(m));
  };
}

export const window = {
  get activeTextEditor() {
    return mock.activeFile ? { document: { uri: Uri.file(mock.activeFile) } } : undefined;
  },
  createOutputChannel(name: string): MockOutputChannel {
    const c = new MockOutputChannel(name);
    mock.outputs.set(name, c);
    return c;
  },
  createStatusBarItem(id: string): MockStatusBarItem {
    const item = new MockStatusBarItem(id);
    mock.statusItems.push(item);
    return item;
  },
  showInformationMessage: show('info'),
  showWarningMessage: show('warning'),
  showErrorMessage: show('error'),
  async withProgress<T>(
    options: { title?: string },
    task: (progress: { report(v: { message?: string; increment?: number }): void }, token: unknown) => Promise<T>,
  ): Promise<T> {
    const source = new CancellationTokenSource();
    const run: ProgressRun = { title: options.title ?? '', reports: [], cancel: () => source.cancel() };
    mock.progress.push(run);
    return task(
      {
        report: (v) => {
          run.reports.push(v);
          if (mock.cancelWhen?.(run)) source.cancel();
        },
      },
      source.token,
    );
  },
  async showQuickPick(items: unknown[] | Promise<unknown[]>): Promise<unknown> {
    return mock.pick(await items);
  },
  async showOpenDialog(): Promise<Uri[] | undefined> {
    return mock.openDialog();
  },
  async showWorkspaceFolderPick(): Promise<unknown> {
    return workspace.workspaceFolders?.[0];
  },
  async showTextDocument(doc: { uri: Uri } | Uri): Promise<unknown> {
    mock.opened.push(doc instanceof Uri ? doc : doc.uri);
    return {};
  },
  createTerminal(opts: { name: string; shellPath?: string; shellArgs?: string[] }): { show(): void; dispose(): void } {
    mock.terminals.push(opts);
    return { show() {}, dispose() {} };
  },
  onDidChangeActiveTextEditor: () => new Disposable(() => undefined),
};

const contentProviders = new Map<string, { provideTextDocumentContent(uri: Uri): string }>();
const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();

export interface WorkspaceFolder {
  uri: Uri;
  name: string;
  index: number;
}

export const workspace = {
  workspaceFolders: undefined as WorkspaceFolder[] | undefined,
  getWorkspaceFolder(uri: Uri): WorkspaceFolder | undefined {
    return workspace.workspaceFolders?.find((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(`${f.uri.fsPath}/`));
  },
  getConfiguration(section: string) {
    return {
      get<T>(key: string, dflt?: T): T {
        const k = `${section}.${key}`;
        return (mock.settings.has(k) ? mock.settings.get(k) : dflt) as T;
      },
    };
  },
  async openTextDocument(uri: Uri): Promise<{ uri: Uri; getText(): string }> {
    const provider = contentProviders.get(uri.scheme);
    const text = provider ? provider.provideTextDocumentContent(uri) : '';
    mock.documents.push({ uri, text });
    return { uri, getText: () => text };
  },
  registerTextDocumentContentProvider(scheme: string, p: { provideTextDocumentContent(uri: Uri): string }): Disposable {
    contentProviders.set(scheme, p);
    return new Disposable(() => contentProviders.delete(scheme));
  },
  onDidChangeConfiguration: () => new Disposable(() => undefined),
  onDidChangeWorkspaceFolders: () => new Disposable(() => undefined),
};

// Sets the open folders the way VS Code would see them.
export function openFolders(...paths: string[]): WorkspaceFolder[] {
  workspace.workspaceFolders = paths.map((p, index) => ({ uri: Uri.file(p), name: path.basename(p), index }));
  return workspace.workspaceFolders;
}

export const commands = {
  registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
    commandHandlers.set(id, fn);
    return new Disposable(() => commandHandlers.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    mock.executed.push({ command: id, args });
    const fn = commandHandlers.get(id);
    return fn ? fn(...args) : undefined;
  },
};

export const env = {
  clipboard: {
    async writeText(text: string): Promise<void> {
      mock.clipboard = text;
    },
    async readText(): Promise<string> {
      return mock.clipboard;
    },
  },
  async asExternalUri(uri: Uri): Promise<Uri> {
    return uri;
  },
  async openExternal(uri: Uri): Promise<boolean> {
    mock.externalUris.push(uri);
    return true;
  },
};

export const debug = {
  registerDebugConfigurationProvider(type: string, p: unknown): Disposable {
    mock.debugProviders.set(type, p);
    return new Disposable(() => mock.debugProviders.delete(type));
  },
  async startDebugging(folder: unknown, config: Record<string, unknown>): Promise<boolean> {
    mock.debugSessions.push({ folder, config });
    return true;
  },
};

export const extensions = {
  getExtension(id: string): unknown {
    return mock.extensions.get(id);
  },
};
