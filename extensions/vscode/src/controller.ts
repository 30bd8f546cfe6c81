// The commands. Each asks the server and shows its answer; none decides anything about containers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DlcClient } from './client';
import { DebugRequest } from './debugConfig';
import { doctorMarkdown } from './doctorView';
import { Commands, describeError, DlcError, ErrorView, notificationText } from './errors';
import { offerToJupyterExtension, openServiceUrl } from './jupyter';
import { planMarkdown, planSummary } from './planView';
import { withServerProgress } from './progress';
import {
  DebugAnswer,
  DidChangeStatusParams,
  DownResult,
  ExecResult,
  LogsParams,
  Methods,
  PlanResult,
  ServiceInfo,
  UpParams,
  UpResult,
  WorkspaceStatus,
} from './protocol';
import { ServerManager } from './server';
import { statusView } from './statusView';

export const DocScheme = 'dlcontainer';

const PendingOpenKey = 'dlcontainer.pendingOpen';

// Read-only documents for the plan, the doctor's report and logs.
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

// Paths as the server writes them: absolute and with symlinks resolved.
export function canonical(folder: string): string {
  try {
    return fs.realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

export class Controller implements vscode.Disposable {
  readonly statusItem: vscode.StatusBarItem;
  private readonly statuses = new Map<string, WorkspaceStatus>();
  private busy: string | undefined;
  private serverError: string | undefined;
  private readonly jupyterServers = new Map<string, ServiceInfo>();
  private readonly jupyterRegistration: { collection?: vscode.Disposable } = {};
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly server: ServerManager,
    readonly output: vscode.OutputChannel,
    private readonly docs: DocumentStore,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('dlcontainer.status', vscode.StatusBarAlignment.Left, 100);
    this.statusItem.name = 'dlcontainer';
    this.statusItem.command = Commands.showCommands;
    this.disposables.push(
      this.statusItem,
      server.onDidChangeStatus((change) => void this.onStatusChange(change)),
      server.onDidStart((c) => void this.refreshStatus(c)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.jupyterRegistration.collection?.dispose();
  }

  // --- folders and status ---------------------------------------------------------------------

  // The folder a command works on: the one given, the only one open, or the one the user picks.
  async folder(uri?: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
    if (uri) {
      const f = vscode.workspace.getWorkspaceFolder(uri);
      if (f) return f;
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 1) return folders[0];
    if (folders.length === 0) {
      void vscode.window.showErrorMessage('dlcontainer: open a folder first (File > Open Folder); a container belongs to a folder.');
      return undefined;
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    const activeFolder = active && vscode.workspace.getWorkspaceFolder(active);
    if (activeFolder) return activeFolder;
    return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder?' });
  }

  private currentFolderPath(): string | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    const f = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
    return f ? canonical(f.uri.fsPath) : undefined;
  }

  // An engine event: show the new state at once, then the full status (ports, image) from the server.
  private async onStatusChange(change: DidChangeStatusParams): Promise<void> {
    const key = canonical(change.workspace);
    const known = this.statuses.get(key);
    const state = change.status?.state ?? known?.state ?? 'none';
    this.setStatus({ ...(known ?? {}), ...change.status, workspace: change.workspace, state });
    if (!(vscode.workspace.workspaceFolders ?? []).some((f) => canonical(f.uri.fsPath) === key)) return;
    try {
      const client = await this.server.client();
      this.setStatus(await client.request<WorkspaceStatus>(Methods.status, { workspace: change.workspace }));
    } catch (err) {
      this.output.appendLine(`status after ${change.event}: ${describeError(err).message}`);
    }
  }

  setStatus(status: WorkspaceStatus): void {
    this.statuses.set(canonical(status.workspace), status);
    this.render();
  }

  render(): void {
    const folder = this.currentFolderPath();
    if (!folder) {
      this.statusItem.hide();
      return;
    }
    const view = statusView(this.statuses.get(folder), this.busy, this.serverError);
    this.statusItem.text = view.text;
    this.statusItem.tooltip = view.tooltip;
    this.statusItem.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.statusItem.show();
  }

  async refreshStatus(client?: DlcClient): Promise<void> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    try {
      const c = client ?? (await this.server.client());
      this.serverError = undefined;
      for (const f of folders) {
        this.setStatus(await c.request<WorkspaceStatus>(Methods.status, { workspace: f.uri.fsPath }));
      }
    } catch (err) {
      const view = describeError(err);
      this.output.appendLine(`status: ${view.message}${view.hint ? `\nhint: ${view.hint}` : ''}`);
      // A server that cannot start is shown as such; an error for one folder is not the server's.
      if (!this.server.running) this.serverError = notificationText(view);
      this.render();
    }
  }

  private setBusy(text: string | undefined): void {
    this.busy = text;
    this.render();
  }

  // --- errors ---------------------------------------------------------------------------------

  showError(err: unknown): void {
    const view: ErrorView = describeError(err);
    if (view.cancelled) {
      void vscode.window.showInformationMessage('dlcontainer: cancelled.');
      return;
    }
    this.output.appendLine(`error: ${view.message}${view.hint ? `\nhint: ${view.hint}` : ''}`);
    const titles = view.actions.map((a) => a.title);
    void vscode.window.showErrorMessage(`dlcontainer: ${notificationText(view)}`, ...titles).then((picked) => {
      const action = view.actions.find((a) => a.title === picked);
      if (action) void vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    });
  }

  private async guarded(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.showError(err);
    }
  }

  private settings(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('dlcontainer');
  }

  private upParams(folder: vscode.WorkspaceFolder, extra: Partial<UpParams> = {}): UpParams {
    const params: UpParams = { workspace: folder.uri.fsPath, ...extra };
    const gpus = this.settings().get<string>('gpus', '').trim();
    if (gpus) params.gpus = gpus;
    const attach = this.settings().get<string>('gpuAttach', '').trim();
    if (attach) params.gpuAttach = attach;
    const mounts = this.settings().get<string[]>('mounts', []);
    if (mounts.length) params.mounts = mounts;
    return params;
  }

  // A request under a progress notification, cancellable.
  private withProgress<T>(title: string, method: string, params: object): Promise<T> {
    return Promise.resolve(
      withServerProgress(
        title,
        async (onProgress, token) => (await this.server.client()).request<T>(method, params, { onProgress, token }),
        this.output,
      ),
    );
  }

  private async requireMethod(method: string, what: string): Promise<DlcClient> {
    const client = await this.server.client();
    if (!client.supports(method)) {
      throw new Error(
        `this dlcontainer server (${client.serverVersion}) does not offer ${what} (the ${method} method); update dlcontainer`,
      );
    }
    return client;
  }

  // --- commands -------------------------------------------------------------------------------

  register(): vscode.Disposable[] {
    const reg = (id: string, fn: (...args: never[]) => Promise<unknown>) =>
      vscode.commands.registerCommand(id, (...args: never[]) => this.guarded(() => fn.apply(this, args)));
    return [
      reg(Commands.openInContainer, this.openInContainer),
      reg(Commands.rebuild, this.rebuild),
      reg(Commands.stop, this.stop),
      reg(Commands.showPlan, this.showPlan),
      reg(Commands.doctor, this.doctor),
      reg(Commands.jupyter, this.openJupyter),
      reg(Commands.tensorboard, this.openTensorBoard),
      reg(Commands.debugPython, this.debugPythonFile),
      reg(Commands.attachPython, () => this.attach('python')),
      reg(Commands.attachCpp, () => this.attach('cpp')),
      reg(Commands.terminal, this.openTerminal),
      reg(Commands.logs, this.showLogs),
      reg(Commands.showCommands, this.showCommands),
      reg(Commands.openConfig, this.openConfig),
      reg(Commands.restartServer, async () => {
        await this.server.restart();
        void vscode.window.showInformationMessage('dlcontainer: server restarted.');
      }),
      vscode.commands.registerCommand(Commands.showOutput, () => this.output.show(true)),
      // For launch.json: "processId": "${command:dlcontainer.pickContainerProcess}".
      vscode.commands.registerCommand('dlcontainer.pickContainerProcess', async () => {
        const f = await this.folder();
        return f ? this.pickProcess(f) : undefined;
      }),
    ];
  }

  async openInContainer(uri?: vscode.Uri): Promise<UpResult | undefined> {
    let folder = await this.folderForOpen(uri);
    if (!folder) return undefined;
    const client = await this.server.client();
    const status = await client.request<WorkspaceStatus>(Methods.status, { workspace: folder.uri.fsPath });
    this.setStatus(status);
    // A new container is made from a plan: show it with its reasons and ask first. An existing one is
    // just started (or found running).
    if (status.state === 'none' && this.settings().get<boolean>('confirmPlan', true)) {
      if (!(await this.confirmPlan(folder))) return undefined;
    }
    folder = folder!;
    this.setBusy(status.state === 'none' ? 'creating container…' : 'starting container…');
    let result: UpResult;
    try {
      result = await this.withProgress<UpResult>(`Opening ${folder.name} in a GPU container`, Methods.up, this.upParams(folder));
    } finally {
      this.setBusy(undefined);
    }
    await this.refreshStatus();
    // What was not done as devcontainer.json asks (a property dlcontainer does not use, a short host).
    for (const warning of result.warnings ?? []) void vscode.window.showWarningMessage(`dlcontainer: ${warning}`);
    const name = result.containerName ?? result.containerId?.slice(0, 12);
    const actions = ['Open Terminal', 'Open Jupyter'];
    if (result.outOfDate) actions.unshift('Rebuild Container');
    void vscode.window
      .showInformationMessage(
        `dlcontainer: ${folder.name} is in container ${name} (${result.action ?? 'running'})${
          result.outOfDate ? '; devcontainer.json changed since it was made' : ''
        }.`,
        ...actions,
      )
      .then((picked) => {
        if (picked === 'Open Terminal') void vscode.commands.executeCommand(Commands.terminal);
        if (picked === 'Open Jupyter') void vscode.commands.executeCommand(Commands.jupyter);
        if (picked === 'Rebuild Container') void vscode.commands.executeCommand(Commands.rebuild);
      });
    if (this.settings().get<boolean>('openJupyterOnStart', false)) await this.openJupyter();
    return result;
  }

  // The folder to open: the one given or open now; with none open, the user picks one and the window
  // reopens on it, where activation finishes the job (see resumePendingOpen).
  private async folderForOpen(uri?: vscode.Uri): Promise<vscode.WorkspaceFolder | undefined> {
    const open = vscode.workspace.workspaceFolders ?? [];
    let target = uri;
    if (!target && open.length === 0) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Open in GPU Container',
      });
      target = picked?.[0];
      if (!target) return undefined;
    }
    if (target && !vscode.workspace.getWorkspaceFolder(target)) {
      await this.context.globalState.update(PendingOpenKey, { folder: target.toString(), at: Date.now() });
      await vscode.commands.executeCommand('vscode.openFolder', target);
      return undefined;
    }
    return this.folder(target);
  }

  // After "Open Folder in GPU Container" reopened the window on a folder, carry on there.
  async resumePendingOpen(): Promise<void> {
    const pending = this.context.globalState.get<{ folder: string; at: number }>(PendingOpenKey);
    if (!pending) return;
    await this.context.globalState.update(PendingOpenKey, undefined);
    if (Date.now() - pending.at > 5 * 60_000) return;
    const uri = vscode.Uri.parse(pending.folder);
    if (vscode.workspace.getWorkspaceFolder(uri)) await this.guarded(() => this.openInContainer(uri));
  }

  private async confirmPlan(folder: vscode.WorkspaceFolder): Promise<boolean> {
    const plan = await this.plan(folder);
    const detail = planSummary(plan);
    const answer = await vscode.window.showInformationMessage(
      `Create a container for ${folder.name}?`,
      { modal: true, detail },
      'Create Container',
    );
    return answer === 'Create Container';
  }

  async rebuild(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const ok = await vscode.window.showWarningMessage(
      `Rebuild the container of ${folder.name}?`,
      {
        modal: true,
        detail: 'The container is replaced and its image built again. The folder and named volumes are kept.',
      },
      'Rebuild',
    );
    if (ok !== 'Rebuild') return;
    this.setBusy('rebuilding…');
    try {
      await this.withProgress<UpResult>(`Rebuilding ${folder.name}'s container`, Methods.up, this.upParams(folder, { rebuild: true }));
    } finally {
      this.setBusy(undefined);
    }
    await this.refreshStatus();
    void vscode.window.showInformationMessage(`dlcontainer: ${folder.name}'s container was rebuilt.`);
  }

  async stop(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const result = await (await this.server.client()).request<DownResult>(Methods.down, { workspace: folder.uri.fsPath });
    await this.refreshStatus();
    void vscode.window.showInformationMessage(
      result.action === 'none' ? `dlcontainer: ${folder.name} has no running container.` : `dlcontainer: container ${result.action}.`,
    );
  }

  // The server's plan for the folder (workspace/plan, core::PlanResult), also opened as a document.
  private async plan(folder: vscode.WorkspaceFolder): Promise<PlanResult> {
    await this.requireMethod(Methods.plan, 'plans');
    const answer = await this.withProgress<PlanResult>('Planning the container', Methods.plan, { workspace: folder.uri.fsPath });
    await this.docs.show(`plan-${folder.name}.md`, planMarkdown(answer, folder.uri.fsPath));
    return answer;
  }

  async showPlan(): Promise<void> {
    const folder = await this.folder();
    if (folder) await this.plan(folder);
  }

  // The host's checks (core::DoctorReport), each with its fix.
  async doctor(): Promise<void> {
    await this.requireMethod(Methods.doctor, 'the doctor');
    const report = await this.withProgress<unknown>('Checking this host', Methods.doctor, {});
    await this.docs.show('doctor.md', doctorMarkdown(report));
  }

  // Starts a web service (Jupyter, TensorBoard) and opens it. When the container lacks it, the server
  // says so; the user is asked before it is installed (the request again, with install: true).
  private async startService(title: string, method: string, params: Record<string, unknown>): Promise<ServiceInfo> {
    const what = title.replace(/^Starting /, '').replace(/ in the container$/, '');
    try {
      return await this.withProgress<ServiceInfo>(title, method, params);
    } catch (err) {
      const view = describeError(err);
      if (view.kind !== 'commandFailed' || !/is not installed/.test(view.message)) throw err;
      const answer = await vscode.window.showWarningMessage(
        `${view.message}. Install it now?`,
        { modal: true, detail: view.hint },
        'Install',
      );
      if (answer !== 'Install') throw new DlcError(view.message, 'commandFailed', view.hint);
      return this.withProgress<ServiceInfo>(`Installing and starting ${what}`, method, { ...params, install: true });
    }
  }

  async openJupyter(): Promise<ServiceInfo | undefined> {
    const folder = await this.folder();
    if (!folder) return undefined;
    await this.requireMethod(Methods.jupyter, 'Jupyter');
    const lab = this.settings().get<boolean>('jupyterLab', false);
    const info = await this.startService('Starting Jupyter in the container', Methods.jupyter, {
      workspace: folder.uri.fsPath,
      ...(lab ? { lab } : {}),
    });
    this.output.appendLine(`Jupyter: ${info.url}`);
    this.showNotes(info.notes);
    this.jupyterServers.set(canonical(folder.uri.fsPath), info);
    await openServiceUrl(info);
    if (await offerToJupyterExtension(() => [...this.jupyterServers.values()], this.jupyterRegistration)) {
      void vscode.window.showInformationMessage(
        'dlcontainer: the container\'s Jupyter server is offered to the Jupyter extension: choose "dlcontainer" when you select a kernel.',
      );
    }
    return info;
  }

  async openTensorBoard(): Promise<ServiceInfo | undefined> {
    const folder = await this.folder();
    if (!folder) return undefined;
    await this.requireMethod(Methods.tensorboard, 'TensorBoard');
    const logdir = this.settings().get<string>('tensorboardLogdir', '').trim();
    const info = await this.startService('Starting TensorBoard in the container', Methods.tensorboard, {
      workspace: folder.uri.fsPath,
      ...(logdir ? { logdir } : {}),
    });
    this.output.appendLine(`TensorBoard: ${info.url}`);
    this.showNotes(info.notes);
    await openServiceUrl(info);
    return info;
  }

  // The server call behind the `dlcontainer` debug type.
  async runDebugRequest(
    request: DebugRequest,
    token: vscode.CancellationToken | undefined,
  ): Promise<DebugAnswer> {
    const client = await this.requireMethod(request.method, request.method === 'debug/python' ? 'Python debugging' : 'C++ debugging');
    const answer = await withServerProgress(
      request.method === 'debug/python' ? 'Starting debugpy in the container' : 'Starting gdbserver in the container',
      (onProgress, progressToken) => {
        const cancel = new vscode.CancellationTokenSource();
        progressToken.onCancellationRequested(() => cancel.cancel());
        token?.onCancellationRequested(() => cancel.cancel());
        return client.request<DebugAnswer>(request.method, request.params, { onProgress, token: cancel.token });
      },
      this.output,
    );
    this.showNotes(answer.notes);
    return answer;
  }

  // What the server says the user should know about a service it started (shown, not acted on).
  private showNotes(notes: string[] | undefined): void {
    for (const note of notes ?? []) {
      this.output.appendLine(`note: ${note}`);
      void vscode.window.showWarningMessage(`dlcontainer: ${note}`);
    }
  }

  async debugPythonFile(uri?: vscode.Uri): Promise<void> {
    const file = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!file || file.scheme !== 'file' || !file.fsPath.endsWith('.py')) {
      throw new Error('open a Python file (.py) of the workspace first');
    }
    const folder = vscode.workspace.getWorkspaceFolder(file);
    if (!folder) throw new Error(`${file.fsPath} is not in an open folder; a container belongs to a folder`);
    await vscode.debug.startDebugging(folder, {
      type: 'dlcontainer',
      request: 'launch',
      name: `Python in container: ${path.basename(file.fsPath)}`,
      language: 'python',
      program: file.fsPath,
      args: [],
    });
  }

  async attach(language: 'python' | 'cpp'): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const pid = await this.pickProcess(folder);
    if (pid === undefined) return;
    await vscode.debug.startDebugging(folder, {
      type: 'dlcontainer',
      request: 'attach',
      name: `${language === 'python' ? 'Python' : 'C++'} in container: process ${pid}`,
      language,
      processId: pid,
    });
  }

  // The container's processes, listed by `ps` through workspace/exec, for the user to choose from.
  async pickProcess(folder: vscode.WorkspaceFolder): Promise<number | undefined> {
    const client = await this.server.client();
    const res = await client.request<ExecResult>(Methods.exec, {
      workspace: folder.uri.fsPath,
      command: ['ps', '-eo', 'pid=,user=,args='],
    });
    if (res.exitCode !== 0) throw new Error(`listing the container's processes failed: ${res.stderr ?? ''}`.trim());
    const items = (res.stdout ?? '')
      .split('\n')
      .map((l) => l.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
      .filter((m): m is RegExpMatchArray => m !== null && !m[3].startsWith('ps -eo'))
      .map((m) => ({ label: m[3], description: `pid ${m[1]} · ${m[2]}`, pid: Number(m[1]) }));
    const picked = await vscode.window.showQuickPick(items, {
      placeHolder: 'Attach to which process in the container?',
      matchOnDescription: true,
    });
    return picked?.pid;
  }

  // A terminal in the container. The protocol's workspace/exec takes all of stdin at once, so an
  // interactive shell runs through the same binary's `exec`, which carries keystrokes, window size
  // and signals over the engine's attach stream (a pseudoterminal over the protocol needs streamed
  // stdin from the server first).
  async openTerminal(): Promise<vscode.Terminal | undefined> {
    const folder = await this.folder();
    if (!folder) return undefined;
    const client = await this.server.client();
    const status = await client.request<WorkspaceStatus>(Methods.status, { workspace: folder.uri.fsPath });
    if (status.state !== 'running') {
      throw new DlcError(`${folder.name}'s container is not running (${status.state})`, 'containerNotRunning',
        'run "Open Folder in GPU Container" first');
    }
    const terminal = vscode.window.createTerminal({
      name: `Container: ${folder.name}`,
      shellPath: this.server.binary().path,
      shellArgs: ['exec', '-w', folder.uri.fsPath, '--', '/bin/sh', '-c', 'if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi'],
      cwd: folder.uri,
      iconPath: new vscode.ThemeIcon('vm-running'),
    });
    terminal.show();
    return terminal;
  }

  async showLogs(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    const client = await this.server.client();
    const channel = this.logChannel();
    channel.clear();
    channel.show(true);
    // Followed until the window closes or "Stop Following Logs" cancels it.
    this.logsFollow?.cancel();
    const follow = new vscode.CancellationTokenSource();
    this.logsFollow = follow;
    const params: LogsParams = { workspace: folder.uri.fsPath, follow: true, tail: 1000 };
    try {
      await client.requestStreaming(Methods.logs, params, (text) => channel.append(text), { token: follow.token });
      channel.appendLine('[the container stopped: end of its logs]');
    } catch (err) {
      if (!describeError(err).cancelled) throw err;
      channel.appendLine('[stopped following]');
    } finally {
      if (this.logsFollow === follow) this.logsFollow = undefined;
    }
  }

  private logsFollow: vscode.CancellationTokenSource | undefined;
  private logsOutput: vscode.OutputChannel | undefined;
  private logChannel(): vscode.OutputChannel {
    if (!this.logsOutput) {
      this.logsOutput = vscode.window.createOutputChannel('dlcontainer: container logs');
      this.disposables.push(this.logsOutput);
    }
    return this.logsOutput;
  }

  async openConfig(): Promise<void> {
    const folder = await this.folder();
    if (!folder) return;
    for (const rel of ['.devcontainer/devcontainer.json', '.devcontainer.json']) {
      const file = path.join(folder.uri.fsPath, rel);
      if (fs.existsSync(file)) {
        await vscode.window.showTextDocument(vscode.Uri.file(file));
        return;
      }
    }
    throw new Error(`${folder.name} has no .devcontainer/devcontainer.json`);
  }

  async showCommands(): Promise<void> {
    const items: Array<vscode.QuickPickItem & { command: string }> = [
      { label: '$(vm-running) Open Folder in GPU Container', command: Commands.openInContainer },
      { label: '$(notebook) Open Jupyter', command: Commands.jupyter },
      { label: '$(graph-line) Open TensorBoard', command: Commands.tensorboard },
      { label: '$(terminal) Open Terminal in Container', command: Commands.terminal },
      { label: '$(debug-alt) Debug Python File in Container', command: Commands.debugPython },
      { label: '$(debug) Attach to Process in Container (Python)', command: Commands.attachPython },
      { label: '$(debug) Attach to Process in Container (C++)', command: Commands.attachCpp },
      { label: '$(output) Show Logs', command: Commands.logs },
      { label: '$(list-tree) Show Plan', command: Commands.showPlan },
      { label: '$(pulse) Run Doctor', command: Commands.doctor },
      { label: '$(refresh) Rebuild Container', command: Commands.rebuild },
      { label: '$(debug-stop) Stop Container', command: Commands.stop },
    ];
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'dlcontainer' });
    if (picked) await vscode.commands.executeCommand(picked.command);
  }
}
