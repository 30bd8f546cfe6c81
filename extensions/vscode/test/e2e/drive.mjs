// The end-to-end test: a real VS Code (code-server) with the built .vsix installed, opened on a
// workspace folder, driven through its UI by headless chromium (playwright-core), against the real
// dlcontainer server and the real Docker engine. Each step is checked from outside the UI too (the
// engine's containers by label, the Jupyter page over HTTP) and photographed.
//
// node drive.mjs --code-server BIN --vsix FILE --binary DLCONTAINER --workspace DIR --shots DIR [--keep]
// node drive.mjs --code-server BIN --vsix PLATFORM.vsix --bundled --workspace DIR --shots DIR
//   --pyright-vsix FILE: also install the test-only pyright client (pyright-client/) and check the
//   container's Python in the editor (python.mjs): the settings written, completions of torch from the
//   copy of the container's libraries, the settings taken back.
//   (--bundled: a .vsix that carries the server, installed as a user would, with no dlcontainer on
//   PATH and no setting: the extension must start the one it bundles, and its offer to link it into
//   ~/.local/bin, answered yes, must make that link; HOME is a folder of the test's own)
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { torchCompletions, useContainerPython } from './python.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) {
    if (dflt === undefined) throw new Error(`--${name} is required`);
    return dflt;
  }
  return process.argv[i + 1];
};
const codeServer = arg('code-server');
const vsix = path.resolve(arg('vsix'));
const bundled = process.argv.includes('--bundled');
let binary = bundled ? undefined : path.resolve(arg('binary'));
const workspace = fs.realpathSync(arg('workspace'));
const shots = path.resolve(arg('shots'));
const keep = process.argv.includes('--keep');
const pyrightVsix = process.argv.includes('--pyright-vsix') ? path.resolve(arg('pyright-vsix')) : undefined;
const upTimeoutMs = Number(arg('up-timeout', '900')) * 1000;

const log = (...a) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...a);
const failures = [];
let passed = 0;
function check(what, ok, detail = '') {
  if (ok) {
    passed++;
    log(`ok: ${what}`);
  } else {
    failures.push(`${what}${detail ? `: ${detail}` : ''}`);
    log(`FAILED: ${what}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function until(what, fn, timeoutMs, everyMs = 500) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch((e) => {
      if (e?.fatal) throw e;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function containersOf(folder) {
  const out = execFileSync('docker', ['ps', '-a', '--filter', `label=dev.dlcontainer.workspace=${folder}`, '--format', '{{.ID}} {{.State}} {{.Names}}'], {
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean).map((l) => {
    const [id, state, name] = l.split(' ');
    return { id, state, name };
  });
}

// Everything the test starts lives under one temporary folder and goes away at the end.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-vscode-e2e-'));
const dirs = {
  config: path.join(root, 'config.yaml'),
  userData: path.join(root, 'user-data'),
  extensions: path.join(root, 'extensions'),
  xdg: path.join(root, 'xdg'),
  tmp: path.join(root, 'tmp'),
};
for (const d of [dirs.userData, dirs.extensions, dirs.xdg, dirs.tmp, path.join(root, 'home')]) fs.mkdirSync(d, { recursive: true });
fs.writeFileSync(dirs.config, 'auth: none\ncert: false\n');
// With --bundled, no directory of PATH may hold a dlcontainer: the extension must find none there.
const withoutDlcontainer = (p) =>
  p.split(path.delimiter).filter((d) => d && !fs.existsSync(path.join(d, 'dlcontainer'))).join(path.delimiter);
const env = {
  ...process.env,
  ...(bundled ? { PATH: withoutDlcontainer(process.env.PATH ?? ''), HOME: path.join(root, 'home') } : {}),
  XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
  XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
  XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
  TMPDIR: dirs.tmp,
};
const common = ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

// User settings: the binary under test, and a quiet workbench.
fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
fs.writeFileSync(
  path.join(dirs.userData, 'User', 'settings.json'),
  JSON.stringify(
    {
      ...(bundled ? {} : { 'dlcontainer.serverPath': binary }),
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'window.commandCenter': false,
      'workbench.colorTheme': 'Default Light Modern',
      // Completions only from a language server: VS Code's words of the document would complete
      // `torch.nn.Li` from the file's own `nn.Linear` with no analyser at all.
      'editor.wordBasedSuggestions': 'off',
    },
    null,
    2,
  ),
);

// The server that answered is the bundled binary; the offer to link it for terminals, answered yes,
// links ~/.local/bin/dlcontainer to it, and that link runs.
async function checkBundled(page) {
  const serving = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').slice(1, 3).join(' ') === 'serve --stdio' &&
        fs.readlinkSync(`/proc/${p}/exe`) === fs.realpathSync(binary);
    } catch {
      return false;
    }
  });
  check('the extension started the bundled server (dlcontainer serve --stdio from the extension folder)', serving.length === 1, `${serving.length} such processes`);
  const offer = page.locator('.notification-toast', { hasText: 'Link it as ~/.local/bin/dlcontainer' }).first();
  const offered = await offer.waitFor({ timeout: 30_000 }).then(() => true, () => false);
  check('the extension offers to link the bundled binary for terminals', offered);
  if (!offered) return;
  await offer.locator('a.monaco-button, button', { hasText: 'Create Link' }).first().click();
  const link = path.join(env.HOME, '.local', 'bin', 'dlcontainer');
  const linked = await until('the link', async () => fs.existsSync(link) && fs.readlinkSync(link), 10_000).catch(() => undefined);
  check('"Create Link" links ~/.local/bin/dlcontainer to the bundled binary', linked === binary, String(linked));
  const version = linked ? execFileSync(link, ['--version'], { encoding: 'utf8' }).trim() : '';
  check('the link runs the portable build', /portable linux-x64/.test(version), version);
}

let server;
let browser;
let currentPage;
const cleanups = [];
async function cleanup() {
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch (e) {
      log(`cleanup: ${e.message}`);
    }
  }
}
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => cleanup().then(() => process.exit(143)));

try {
  log(`installing ${vsix}`);
  const installed = execFileSync(codeServer, [...common, '--install-extension', vsix], { env, encoding: 'utf8' });
  check('code-server installs the .vsix', /successfully installed/i.test(installed), installed.trim());
  if (pyrightVsix) {
    const out = execFileSync(codeServer, [...common, '--install-extension', pyrightVsix], { env, encoding: 'utf8' });
    check('code-server installs the test-only pyright client', /successfully installed/i.test(out), out.trim());
    // The language server it starts: npm's pyright, beside playwright-core in the extension's node_modules.
    env.DLC_E2E_PYRIGHT_LANGSERVER = fileURLToPath(import.meta.resolve('pyright/langserver.index.js'));
  }
  if (bundled) {
    const dirsIn = fs.readdirSync(dirs.extensions).filter((d) => fs.existsSync(path.join(dirs.extensions, d, 'bin', 'dlcontainer')));
    check('the installed extension carries bin/dlcontainer and its agent', dirsIn.length === 1 &&
      fs.existsSync(path.join(dirs.extensions, dirsIn[0], 'lib', 'dlcontainer', 'dlcontainer-agent')), JSON.stringify(dirsIn));
    binary = path.join(dirs.extensions, dirsIn[0] ?? 'missing', 'bin', 'dlcontainer');
    check('no dlcontainer on the PATH code-server runs with', !env.PATH.split(path.delimiter).some((d) => fs.existsSync(path.join(d, 'dlcontainer'))));
  }

  const port = await freePort();
  // Services reach the browser the way they do in a remote VS Code: asExternalUri maps the
  // server's 127.0.0.1:PORT URL through the editor's port forwarding, here code-server's domain proxy
  // (PORT.localhost:CS -> 127.0.0.1:PORT, path and the browser's Host header kept; chromium resolves
  // *.localhost to loopback). code-server matches the whole Host header, port included. Its default,
  // /proxy/PORT/, strips the path prefix, which breaks an app such as Jupyter that serves from /
  // with absolute links; and a template of 127.0.0.1:{{port}} itself is not a URL code-server takes.
  env.VSCODE_PROXY_URI = `http://{{port}}.localhost:${port}/`;
  server = spawn(
    codeServer,
    [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--proxy-domain', `{{port}}.localhost:${port}`,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const serverLog = fs.createWriteStream(path.join(root, 'code-server.log'));
  server.stdout.pipe(serverLog);
  server.stderr.pipe(serverLog);
  cleanups.push(async () => {
    // The whole process group: code-server, its extension host, and the dlcontainer server it spawned.
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {}
  });
  const base = `http://127.0.0.1:${port}`;
  await until('code-server to answer', async () => (await fetch(`${base}/healthz`)).ok, 60_000);
  log(`code-server at ${base}`);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  cleanups.push(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const page = await context.newPage();
  currentPage = page;
  const shot = async (name, p = page) => {
    fs.mkdirSync(shots, { recursive: true });
    const file = path.join(shots, name);
    await p.screenshot({ path: file });
    log(`screenshot ${path.relative(process.cwd(), file)}`);
  };
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // The extension host starts after the workbench; the status bar item shows once the extension
  // is active and the server has answered workspace/status.
  const statusItem = page.locator('.statusbar-item', { hasText: 'dlcontainer:' }).first();
  await statusItem.waitFor({ timeout: 60_000 });
  const before = (await statusItem.innerText()).trim();
  check('the status bar shows the folder has no container yet', /no container/.test(before), before);
  check('no container carries the workspace label before the command', containersOf(workspace).length === 0, JSON.stringify(containersOf(workspace)));
  if (bundled) await checkBundled(page);

  const notifications = page.locator('.notification-list-item-message');
  const runCommand = async (title, shotName) => {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>dlcontainer: ${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 10_000 });
    if (shotName) await shot(shotName);
    await page.keyboard.press('Enter');
  };

  // 1. The command palette.
  await runCommand('Open Folder in GPU Container', 'vscode-1-command-palette.png');

  // 2. The plan and the confirm.
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 });
  const dialogText = await dialog.innerText();
  check('a confirm dialog appears before anything is created', /Create a container for/.test(dialogText), dialogText);
  check('nothing was created before the confirm', containersOf(workspace).length === 0);
  await shot('vscode-2-confirm-plan.png');
  await dialog.locator('a.monaco-button, button', { hasText: 'Create Container' }).first().click();

  // 3. Progress while the image builds and the container starts.
  const progress = page.locator('.notification-toast', { hasText: 'GPU container' }).first();
  const sawProgress = await progress.waitFor({ timeout: 30_000 }).then(() => true, () => false);
  // (With the image cached, the container is up within a second or two; the shot is taken at once.)
  check('a progress notification shows while the container is made', sawProgress);
  if (sawProgress) {
    // Past the toast's slide-in, and on a step the server reported when one comes soon.
    await page.locator('.notification-toast', { hasText: /GPU container: / }).first().waitFor({ timeout: 3000 }).catch(() => undefined);
    await page.waitForTimeout(300);
    await shot('vscode-3-progress.png');
  }

  // 4. Running: the status bar says so, and the engine agrees.
  const running = await until(
    'the status bar to say running',
    async () => {
      const t = (await statusItem.innerText()).trim();
      const err = await notifications.allInnerTexts();
      const failed = err.find((m) => m.startsWith('dlcontainer:') && /error|failed|cannot|not /i.test(m) && !/is in container/.test(m));
      if (failed) throw Object.assign(new Error(failed), { fatal: true });
      return /running/.test(t) ? t : undefined;
    },
    upTimeoutMs,
    1000,
  ).catch((e) => e);
  if (running instanceof Error) {
    throw running;
  }
  check('the status bar shows the container running', /dlcontainer: running/.test(running), running);
  const cs = containersOf(workspace);
  check('docker ps finds exactly one running container by the workspace label', cs.length === 1 && cs[0].state === 'running', JSON.stringify(cs));
  const done = await until('the "is in container" notification', async () => (await notifications.allInnerTexts()).find((m) => /is in container/.test(m)), 30_000).catch(() => undefined);
  check('a notification says which container the folder is in', !!done, done ?? '');
  await statusItem.hover();
  await page.waitForTimeout(1200);
  await shot('vscode-4-running.png');
  const steps = { page, workspace, env, check, until, log, shot, runCommand };
  const usesContainerPython = pyrightVsix ? await useContainerPython(steps) : false;

  // 5. Jupyter: the command starts it in the container and opens its URL; the page loads.
  const before5 = new Set(await notifications.allInnerTexts());
  const pagePromise = context.waitForEvent('page', { timeout: 300_000 });
  await runCommand('Open Jupyter');
  // The new page, or an error notification that says why there is none.
  // An image without Jupyter (examples/mnist as shipped): the extension asks before installing it.
  let askedToInstall = false;
  const installer = setInterval(async () => {
    const install = page.locator('.monaco-dialog-box a.monaco-button, .monaco-dialog-box button', { hasText: 'Install' });
    if (!askedToInstall && (await install.count().catch(() => 0)) > 0) {
      askedToInstall = true;
      log('the image has no Jupyter: the extension asks to install it; answering Install');
      await shot('vscode-5a-install-jupyter.png').catch(() => undefined);
      await install.first().click().catch(() => undefined);
    }
  }, 1000);
  cleanups.push(() => clearInterval(installer));
  const jupyter = await Promise.race([
    pagePromise,
    until(
      'an error notification',
      async () => (await notifications.allInnerTexts()).find((m) => !before5.has(m) && /^dlcontainer: .*(Hint:|does not|failed|cannot)/.test(m)),
      300_000,
    ).then((m) => new Error(`Open Jupyter failed: ${m}`)),
  ]).catch((e) => e);
  clearInterval(installer);
  if (jupyter instanceof Error) {
    throw jupyter;
  }
  await jupyter.waitForLoadState('load', { timeout: 60_000 });
  await jupyter.waitForTimeout(2000);
  const url = jupyter.url();
  const title = await jupyter.title();
  check('the Jupyter page comes through the editor\'s port forwarding', new RegExp(`^http://\\d+\\.localhost:${port}/`).test(url), url);
  check('the Jupyter page loads (its title names Jupyter or its home)', /jupyter|home|tree|notebook/i.test(title), `title "${title}" at ${url}`);
  const body = await jupyter.locator('body').innerText().catch(() => '');
  check('the page lists the workspace\'s files', /train\.py/.test(body), body.slice(0, 300));
  await shot('vscode-5-jupyter.png', jupyter);

  // 6-7. The editor's analyser sees the container's packages through the settings written after 4.
  if (usesContainerPython) await torchCompletions(steps);
} catch (e) {
  failures.push(e.message);
  log(`FAILED: ${e.message}`);
  if (currentPage) {
    await currentPage.screenshot({ path: path.join(root, 'failure.png') }).catch(() => undefined);
    log(`failure screenshot: ${path.join(root, 'failure.png')} (kept with --keep)`);
  }
} finally {
  await cleanup();
  if (failures.length) {
    const logFile = path.join(root, 'code-server.log');
    if (fs.existsSync(logFile)) console.log(`--- code-server.log (tail)\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n')}`);
    // The extension host's log and the extension's own output channel.
    const logs = path.join(dirs.userData, 'logs');
    for (const f of fs.existsSync(logs) ? fs.readdirSync(logs, { recursive: true }) : []) {
      if (/exthost\.log$|dlcontainer\.log$/.test(String(f))) {
        console.log(`--- ${f} (tail)\n${fs.readFileSync(path.join(logs, String(f)), 'utf8').split('\n').slice(-30).join('\n')}`);
      }
    }
  }
  if (!keep) {
    try {
      execFileSync(binary, ['down', '--remove', workspace], { stdio: 'inherit' });
      // The image built for this workspace (its base, the test image, stays cached).
      const images = execFileSync('docker', ['images', '-q', '--filter', `label=dev.dlcontainer.built-for=${workspace}`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      if (images.length) execFileSync('docker', ['rmi', '-f', ...new Set(images)], { stdio: 'ignore' });
    } catch (e) {
      log(`cleanup of the workspace's container and image: ${e.message}`);
    }
    fs.rmSync(root, { recursive: true, force: true });
  } else {
    log(`kept ${root}, the workspace ${workspace} and its container`);
  }
}
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
