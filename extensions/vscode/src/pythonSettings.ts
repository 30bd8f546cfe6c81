// The folder settings that give the Python extension and its language server the container's Python:
// the interpreter (the wrapper `dlcontainer interpreter` writes, so Run, Debug and Testing run in the
// container) and the analyser's extra paths (the read-only copy of the container's libraries, so
// `import torch` resolves and completes). They are written into the folder's .vscode/settings.json
// with jsonc-parser's edits (comments and the user's other settings stay), not through VS Code's
// configuration API, which refuses keys no installed extension declares (python.* without the Python
// extension, in code-server). Pure: tested on real files without VS Code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, modify, parse, ParseError } from 'jsonc-parser';
import { IdeInterpreterResult, LibsMirror } from './protocol';

export const InterpreterSetting = 'python.defaultInterpreterPath';
export const ExtraPathsSetting = 'python.analysis.extraPaths';

export type Settings = Record<string, unknown>;

// What was written and what was there before, per key: enough to take it back. A previous value of
// undefined means the key was not set.
export interface WrittenSettings {
  written: Settings;
  previous: Settings;
  createdFile?: boolean;  // there was no settings file: one left empty by the restore goes again
}

// pyright (and Pylance) resolve extraPaths before their own stubs of the standard library (PEP 561's
// order), so the container's standard-library source would shadow typeshed's better types: only the
// installed packages go in, and the workspace's own sys.path folders other than its root (a src/ on
// PYTHONPATH), which the analyser would not search otherwise.
export function extraPaths(libs: LibsMirror | undefined, workspace: string): string[] {
  if (!libs) return [];
  return libs.paths
    .filter((p) => p.host && (p.kind === 'packages' || (p.kind === 'workspace' && p.host !== workspace)))
    .map((p) => p.host);
}

export function containerPythonSettings(r: IdeInterpreterResult): Settings {
  return { [InterpreterSetting]: r.interpreter, [ExtraPathsSetting]: extraPaths(r.libs, r.workspace) };
}

export function settingsFile(folder: string): string {
  return path.join(folder, '.vscode', 'settings.json');
}

const formatting = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

// The folder's settings as they are (an absent file is {}); an error that names the file when it does
// not parse, so that nothing is written over what the user wrote.
export function readSettings(folder: string): Settings {
  const file = settingsFile(folder);
  if (!fs.existsSync(file)) return {};
  const errors: ParseError[] = [];
  const value = parse(fs.readFileSync(file, 'utf8'), errors, { allowTrailingComma: true }) as unknown;
  if (errors.length || (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))) {
    throw new Error(`${file} is not valid JSON with comments: fix it, then try again (nothing was changed)`);
  }
  return (value ?? {}) as Settings;
}

// Sets (or, for undefined, removes) top-level keys in the folder's settings file, keeping the rest of
// its text. Written whole through a temporary file, so VS Code never reads half of it.
export function editSettings(folder: string, changes: Settings): void {
  readSettings(folder);  // refuses a file that does not parse
  const file = settingsFile(folder);
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '{}\n';
  for (const [key, value] of Object.entries(changes)) {
    text = applyEdits(text, modify(text, [key], value, formatting));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.dlcontainer-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Writes `wanted`, remembering what was there. A key the user changed since an earlier write
// (`before`) is theirs now and is left alone; it is named in `kept`.
export function writeContainerSettings(
  folder: string,
  wanted: Settings,
  before?: WrittenSettings,
): { record: WrittenSettings; kept: string[] } {
  const current = readSettings(folder);
  const record: WrittenSettings = { written: {}, previous: {}, createdFile: before ? before.createdFile : !fs.existsSync(settingsFile(folder)) };
  const changes: Settings = {};
  const kept: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    const ours = before && key in before.written;
    if (ours && !same(current[key], before.written[key])) {
      kept.push(key);
      continue;
    }
    record.previous[key] = ours ? before.previous[key] : current[key];
    record.written[key] = value;
    if (!same(current[key], value)) changes[key] = value;
  }
  if (Object.keys(changes).length) editSettings(folder, changes);
  return { record, kept };
}

// Takes back what was written: each key still holding the written value gets its previous value again
// (or goes, when there was none). Keys the user changed since are left as they are, and named.
export function restoreSettings(folder: string, record: WrittenSettings): { restored: string[]; kept: string[] } {
  const current = readSettings(folder);
  const changes: Settings = {};
  const restored: string[] = [];
  const kept: string[] = [];
  for (const [key, value] of Object.entries(record.written)) {
    if (!same(current[key], value)) {
      kept.push(key);
      continue;
    }
    changes[key] = record.previous[key];
    restored.push(key);
  }
  if (Object.keys(changes).length) editSettings(folder, changes);
  if (record.createdFile && Object.keys(readSettings(folder)).length === 0) {
    const file = settingsFile(folder);
    // Only a file that holds nothing else (not even a comment) is the one this extension made.
    if (fs.readFileSync(file, 'utf8').replace(/\s/g, '') === '{}') {
      fs.rmSync(file);
      if (fs.readdirSync(path.dirname(file)).length === 0) fs.rmdirSync(path.dirname(file));
    }
  }
  return { restored, kept };
}
