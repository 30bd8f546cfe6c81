// What the tests that talk to a real `dlcontainer serve` share: the binary, the engine, and temporary
// workspaces that remove their containers.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

const repo = path.resolve(__dirname, '../../../..');

// The binary under test: DLC_BINARY, else the build tree's.
export function serverBinary(): string {
  return process.env.DLC_BINARY ?? path.join(repo, 'build/server/dlcontainer');
}

export function inCi(): boolean {
  return process.env.CI === 'true';
}

// Why the real server cannot run here, or undefined when it can. Under CI=true a test never skips
// for that: it fails (see requireServer).
function unavailable(needEngine: boolean, image = 'dlc-test/python:latest'): string | undefined {
  const bin = serverBinary();
  if (!fs.existsSync(bin)) return `no dlcontainer binary at ${bin} (build it, or set DLC_BINARY)`;
  if (needEngine) {
    try {
      execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    } catch {
      return `no Docker engine with the test image ${image} (tests/images/build.sh and extensions/vscode/test/images/build.sh build them)`;
    }
  }
  return undefined;
}

// Skips the test (outside CI) when the server or the engine cannot run here; fails under CI=true.
export function requireServer(t: TestContext, needEngine = true, image?: string): boolean {
  const why = unavailable(needEngine, image);
  if (!why) return true;
  if (inCi()) throw new Error(`CI=true and ${why}`);
  t.skip(why);
  return false;
}

export interface TempWorkspace {
  folder: string;
  containers(): Array<{ id: string; state: string }>;
  remove(): void;
}

// A folder with a devcontainer.json on the local test image; remove() removes every container that
// carries its label, the images built for it, then the folder.
export function tempWorkspace(devcontainer: object = { image: 'dlc-test/python:latest' }, name = 'ws'): TempWorkspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-vscode-test-'));
  const folder = path.join(root, name);
  fs.mkdirSync(path.join(folder, '.devcontainer'), { recursive: true });
  fs.writeFileSync(path.join(folder, '.devcontainer/devcontainer.json'), JSON.stringify(devcontainer, null, 2));
  const real = fs.realpathSync(folder);
  const containers = () =>
    execFileSync('docker', ['ps', '-a', '--filter', `label=dev.dlcontainer.workspace=${real}`, '--format', '{{.ID}} {{.State}}'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [id, state] = l.split(' ');
        return { id, state };
      });
  return {
    folder: real,
    containers,
    remove() {
      try {
        const ids = containers().map((c) => c.id);
        if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
        const images = execFileSync('docker', ['images', '-q', '--filter', `label=dev.dlcontainer.built-for=${real}`], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean);
        if (images.length) execFileSync('docker', ['rmi', '-f', ...new Set(images)], { stdio: 'ignore' });
      } catch {
        // no engine: nothing was made
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

// Resolves once predicate() holds; rejects after timeoutMs. Polls every 50 ms.
export async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
