// The dlcontainer bundled with the extension, offered to terminals: a symbolic link at
// ~/.local/bin/dlcontainer (the user's own programs; on PATH in most distributions' default profile),
// made only when the user says so. A link the extension made for an older version of itself is moved
// to this one; anything else there is the user's and is left alone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BinaryChoice } from './binary';

export type LinkState =
  | { kind: 'absent' }
  | { kind: 'current' } // a link to this very binary
  | { kind: 'stale'; target: string } // a link to the copy another version of this extension bundled
  | { kind: 'foreign'; what: string }; // a file, or a link elsewhere: the user's

// `extensionsDir` holds every installed version of the extension (publisher.dlcontainer-0.1.0-linux-x64/...).
export function linkState(link: string, bundled: string, extensionsDir: string): LinkState {
  let target: string;
  try {
    target = fs.readlinkSync(link);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'foreign', what: code === 'EINVAL' ? 'a file that is not a link' : `unreadable (${code})` };
  }
  const resolved = path.resolve(path.dirname(link), target);
  if (resolved === bundled) return { kind: 'current' };
  const rel = path.relative(extensionsDir, resolved).split(path.sep);
  const isBundledCopy = rel.length === 3 && rel[0] !== '..' && /dlcontainer-/.test(rel[0]) && rel[1] === 'bin' && rel[2] === 'dlcontainer';
  return isBundledCopy ? { kind: 'stale', target: resolved } : { kind: 'foreign', what: `a link to ${resolved}` };
}

// Makes (or moves, for a stale one) the link; never replaces anything but a link in the 'stale' state.
export function createLink(link: string, bundled: string, state: LinkState): void {
  if (state.kind === 'foreign') throw new Error(`${link} is ${state.what}: it is left as it is`);
  if (state.kind === 'current') return;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  if (state.kind === 'absent') {
    fs.symlinkSync(bundled, link); // EEXIST when something appeared meanwhile: that is left alone
    return;
  }
  // A stale link: a new one beside it renamed over it, so that it is never missing in between.
  const temp = `${link}.${process.pid}.tmp`;
  fs.rmSync(temp, { force: true });
  fs.symlinkSync(bundled, temp);
  fs.renameSync(temp, link);
}

export function dirOnPath(dir: string, pathEnv: string | undefined): boolean {
  return (pathEnv ?? '').split(path.delimiter).some((d) => d && path.resolve(d) === path.resolve(dir));
}

const declinedKey = 'dlcontainer.pathLink.declined';
export const LinkChoices = { create: 'Create Link', later: 'Not Now', never: "Don't Ask Again" };

export interface OfferOptions {
  home?: string;
  pathEnv?: string;
  // From the command: ask even after "Don't Ask Again", and say why when there is nothing to do.
  explicit?: boolean;
}

function tilde(p: string, home: string): string {
  return p.startsWith(home + path.sep) ? `~${p.slice(home.length)}` : p;
}

// Called at activation with the binary the server runs from, and by the "Put dlcontainer on PATH"
// command. Returns the link's state afterwards.
export async function offerPathLink(
  context: vscode.ExtensionContext,
  binary: BinaryChoice,
  opts: OfferOptions = {},
): Promise<LinkState> {
  const home = opts.home ?? os.homedir();
  const link = path.join(home, '.local', 'bin', 'dlcontainer');
  const bundled = path.join(context.extensionPath, 'bin', 'dlcontainer');
  const state = linkState(link, bundled, path.dirname(context.extensionPath));
  const say = (m: string) => void vscode.window.showInformationMessage(m);
  if (binary.source !== 'bundled') {
    if (opts.explicit) say(`Terminals already find dlcontainer: the extension runs ${binary.path} (from ${binary.source}).`);
    return state;
  }
  if (state.kind === 'current') {
    if (opts.explicit) say(`${tilde(link, home)} already links to the bundled dlcontainer.`);
    return state;
  }
  if (state.kind === 'foreign') {
    if (opts.explicit) say(`${tilde(link, home)} is ${state.what}; it is left as it is.`);
    return state;
  }
  if (state.kind === 'stale') {
    // Made by the extension for an older version of itself, whose folder is gone or going.
    createLink(link, bundled, state);
    return { kind: 'current' };
  }
  if (!opts.explicit && context.globalState.get<boolean>(declinedKey)) return state;
  const answer = await vscode.window.showInformationMessage(
    `The extension runs the dlcontainer it bundles, which terminals cannot find. Link it as ${tilde(link, home)} for them?`,
    LinkChoices.create,
    LinkChoices.later,
    LinkChoices.never,
  );
  if (answer === LinkChoices.never) await context.globalState.update(declinedKey, true);
  if (answer !== LinkChoices.create) return state;
  createLink(link, bundled, state);
  const dir = path.dirname(link);
  say(
    dirOnPath(dir, opts.pathEnv ?? process.env.PATH)
      ? `Linked ${tilde(link, home)}: terminals opened from now on run dlcontainer.`
      : `Linked ${tilde(link, home)}. ${tilde(dir, home)} is missing from PATH: add it in your shell's profile (most distributions' ~/.profile does so at the next login).`,
  );
  return { kind: 'current' };
}
