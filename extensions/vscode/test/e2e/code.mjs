// The end-to-end test of `dlcontainer code`: code-server from npm in the container (dlc-test/code-server,
// tests/images/code-server), started by the real dlcontainer on a copy of examples/mnist, opened through
// the URL it prints on 127.0.0.1 by headless chromium (playwright-core). The page refuses a request
// without the password and lets the browser in with it; the editor lists the container's workspace
// files; a terminal opened in it runs in the container (what it writes, read back with `docker exec`,
// names the container's hostname and user). Photographed for docs/images.
//
// node code.mjs --binary DLCONTAINER --workspace DIR --shots DIR [--keep]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) throw new Error(`--${name} is required`);
  return process.argv[i + 1];
};
const binary = path.resolve(arg('binary'));
const workspace = fs.realpathSync(arg('workspace'));
const shots = path.resolve(arg('shots'));
const keep = process.argv.includes('--keep');

const log = (...a) => console.log(`[code ${new Date().toISOString().slice(11, 19)}]`, ...a);
const failures = [];
let passed = 0;
function check(what, ok, detail = '') {
  if (ok) passed++;
  else failures.push(`${what}${detail ? `: ${detail}` : ''}`);
  log(`${ok ? 'ok' : 'FAILED'}: ${what}${!ok && detail ? `: ${detail}` : ''}`);
  return ok;
}
async function until(what, fn, timeoutMs, everyMs = 500) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// The user's own settings and caches stay out of it: XDG folders of the test's own.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-code-e2e-'));
const env = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(root, 'config'),
  XDG_DATA_HOME: path.join(root, 'data'),
  XDG_CACHE_HOME: path.join(root, 'cache'),
};
const dlc = (...args) => execFileSync(binary, args, { env, encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'inherit'] });

// The workspace runs on the code-server test image (its remote user is the python image's `dev`).
fs.rmSync(path.join(workspace, '.devcontainer'), { recursive: true, force: true });
fs.mkdirSync(path.join(workspace, '.devcontainer'));
fs.writeFileSync(path.join(workspace, '.devcontainer', 'devcontainer.json'), JSON.stringify({
  name: 'mnist-code', image: 'dlc-test/code-server:latest', remoteUser: 'dev', hostRequirements: { gpu: 'optional' },
}, null, 2));

let browser;
let page;
try {
  log(`dlcontainer up ${workspace}`);
  const up = JSON.parse(dlc('up', workspace, '--json'));
  const container = up.containerId;
  check('dlcontainer up starts the workspace on the code-server image', up.outcome === 'success' && !!container, JSON.stringify(up).slice(0, 300));

  log('dlcontainer code');
  const code = JSON.parse(dlc('code', workspace, '--json'));
  check('dlcontainer code prints a URL on 127.0.0.1 and a password', /^http:\/\/127\.0\.0\.1:\d+\//.test(code.url) && code.token?.length >= 16,
    `${code.url} (${code.token ? 'a password' : 'no password'})`);
  const origin = new URL(code.url).origin;

  // Without the password: the login page, never the editor.
  const bare = await fetch(code.url, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  check('without the password the URL sends the browser to the login page', bare.status === 302 && /login/.test(bare.headers.get('location') ?? ''),
    `${bare.status} ${bare.headers.get('location')}`);
  const wrong = await fetch(`${origin}/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ password: 'not-the-password' }), signal: AbortSignal.timeout(60_000) });
  check('a wrong password is refused', wrong.status !== 302 || /login/.test(wrong.headers.get('location') ?? ''), `${wrong.status}`);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
  page = await (await browser.newContext({ viewport: { width: 1400, height: 860 } })).newPage();
  const shot = async (name) => {
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, name) });
    log(`screenshot ${path.join(shots, name)}`);
  };
  await page.goto(code.url);
  await page.locator('input[type=password]').fill(code.token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  check('with the password the browser gets the editor', true);

  const explorer = page.locator('.explorer-folders-view');
  const listed = await until('the explorer to list train.py', async () => /train\.py/.test(await explorer.innerText()), 60_000).catch(() => false);
  check("the editor's explorer lists the workspace's files (in the container)", listed);

  // A terminal in the editor: its shell is in the container. What it writes there is read back with
  // `docker exec` in that container (the workspace folder belongs to the host's user, root in CI, so
  // `dev` writes to /tmp), with the container's hostname and user.
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget .quick-input-box input').fill('>Terminal: Create New Terminal');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Create New Terminal' }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator('.terminal-wrapper .xterm').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(3000);
  const marker = '/tmp/from-the-terminal.txt';
  await page.keyboard.type(`echo "$(hostname) $(id -un) $(python3 --version)" > ${marker}; cat /etc/hostname; id -un; pwd; ls`, { delay: 10 });
  await page.keyboard.press('Enter');
  const written = await until('the terminal to write its file', async () =>
    execFileSync('docker', ['exec', container, 'cat', marker], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(), 60_000).catch(() => '');
  const hostname = execFileSync('docker', ['inspect', '--format', '{{.Config.Hostname}}', container ?? 'none'], { encoding: 'utf8' }).trim();
  check("the editor's terminal runs in the container (its hostname and user dev)", written.startsWith(`${hostname} dev Python 3`),
    `wrote "${written}", the container's hostname is ${hostname}`);
  // train.py opened from the explorer (quick open searches the container's files, slow on a loaded
  // machine), so the picture shows the editor at work beside the terminal.
  await explorer.locator('.monaco-list-row', { hasText: 'train.py' }).first().click();
  await page.locator('.tab', { hasText: 'train.py' }).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(2500);
  await shot('code-1-editor-in-container.png');

  dlc('code', workspace, '--stop');
} catch (e) {
  failures.push(e.message);
  log(`FAILED: ${e.message}`);
} finally {
  if (failures.length && page) {
    const file = path.join(os.tmpdir(), 'dlc-code-e2e-failure.png');
    await page.screenshot({ path: file }).catch(() => undefined);
    log(`failure screenshot: ${file}`);
  }
  await browser?.close().catch(() => undefined);
  if (!keep) {
    try {
      execFileSync(binary, ['down', '--remove', workspace], { env, stdio: 'inherit' });
    } catch (e) {
      log(`cleanup of the workspace's container: ${e.message}`);
    }
    fs.rmSync(root, { recursive: true, force: true });
  } else {
    log(`kept ${root}, the workspace ${workspace} and its container`);
  }
}
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
