// The end-to-end test's container-Python steps (drive.mjs runs them): the offer after `up`, answered
// yes, writes the folder's .vscode/settings.json (the wrapper as interpreter, the read-only copy of the
// container's libraries as the analyser's extra paths); then, in train.py, pyright's language server
// (the test-only client in pyright-client/, since Pylance needs the marketplace) completes `torch.nn.`
// from that copy, the host having no torch; "Stop Using the Container's Python" takes the settings back
// and pyright reports the import missing again. Each step is checked outside the UI too (the settings
// file, the wrapper run) and photographed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'jsonc-parser';

const Interpreter = 'python.defaultInterpreterPath';
const ExtraPaths = 'python.analysis.extraPaths';
const analysisTimeoutMs = 300_000;  // pyright's first look at torch, on a loaded 2-core machine

function folderSettings(workspace) {
  const file = path.join(workspace, '.vscode', 'settings.json');
  return fs.existsSync(file) ? parse(fs.readFileSync(file, 'utf8')) ?? {} : {};
}

// Any palette entry: '>Title' for a command, 'name' for a file, ':N' for a line.
async function palette(page, text, rowText) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(text);
  if (rowText) await page.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).first().waitFor({ timeout: 20_000 });
  else await page.waitForTimeout(500);
  await page.keyboard.press('Enter');
}

// After `up`: the offer, answered "Use the Container's Python"; the settings file then holds the
// wrapper (which runs the container's Python: it imports torch) and the copy's package folders (which
// hold torch's source, on the host).
export async function useContainerPython({ page, workspace, env, check, until, log, shot }) {
  const offer = page.locator('.notification-list-item', { hasText: "use the container's Python for" }).first();
  let shown = await offer.waitFor({ timeout: 30_000 }).then(() => true, () => false);
  if (!shown) {
    // A toast hides after a while; the notification centre keeps it.
    await palette(page, '>Notifications: Show Notifications', 'Show Notifications');
    shown = await offer.waitFor({ timeout: 10_000 }).then(() => true, () => false);
  }
  check("after up, the extension offers to use the container's Python", shown);
  if (!shown) return false;
  await offer.hover();
  await shot('vscode-4a-python-offer.png');
  await offer.locator('a.monaco-button, button', { hasText: "Use the Container's Python" }).first().click();
  const done = await until(
    'the "uses the container\'s Python" notification',
    async () => (await page.locator('.notification-list-item-message').allInnerTexts()).find((m) => /uses the container's Python/.test(m)),
    analysisTimeoutMs,
    1000,
  ).catch(() => undefined);
  check("the folder then uses the container's Python with its libraries", /with its libraries/.test(done ?? ''), done ?? 'no notification');
  const settings = folderSettings(workspace);
  const interpreter = settings[Interpreter];
  const extra = settings[ExtraPaths] ?? [];
  log(`.vscode/settings.json: ${JSON.stringify(settings)}`);
  check('.vscode/settings.json names the wrapper as the interpreter', typeof interpreter === 'string' && fs.existsSync(interpreter), String(interpreter));
  const cache = path.join(env.XDG_CACHE_HOME, 'dlcontainer', 'libs');
  check("and the copy of the container's packages, under the cache, as python.analysis.extraPaths",
    extra.length > 0 && extra.every((p) => p.startsWith(cache + path.sep)), JSON.stringify(extra));
  check("the copy holds torch's source on the host", extra.some((p) => fs.existsSync(path.join(p, 'torch', '__init__.py'))));
  const torchInit = extra.map((p) => path.join(p, 'torch', '__init__.py')).find((f) => fs.existsSync(f));
  check("the copy's files are read-only (0444)", !!torchInit && (fs.statSync(torchInit).mode & 0o777) === 0o444, torchInit && (fs.statSync(torchInit).mode & 0o777).toString(8));
  if (typeof interpreter === 'string' && fs.existsSync(interpreter)) {
    const out = execFileSync(interpreter, ['-c', 'import torch, sys; print(sys.executable, torch.__version__)'], { env, encoding: 'utf8', timeout: 60_000 }).trim();
    check('the wrapper runs the container\'s Python, which imports torch (the host\'s does not)', /^\/\S+ \d+\.\d+/.test(out), out);
  }
  return true;
}

async function problems(page) {
  await palette(page, '>Problems: Focus on Problems View', 'Focus on Problems');
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ timeout: 10_000 });
  return panel;
}

// train.py beside the settings file; `torch.nn.Li` completes from the copy; the completed line
// type-checks; without the settings, the import is missing.
export async function torchCompletions({ page, workspace, check, until, log, shot, runCommand }) {
  await page.bringToFront();
  await page.keyboard.press('Escape');
  await palette(page, 'settings.json', 'settings.json');
  await palette(page, '>View: Split Editor Right', 'Split Editor Right');
  await palette(page, 'train.py', 'train.py');
  await palette(page, ':24');
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('layer = torch.nn.Li', { delay: 30 });
  // pyright's answer, not VS Code's words of the document (off in drive.mjs's settings; a word has the
  // text icon): a class named Linear.
  const linear = page.locator('.suggest-widget .monaco-list-row').filter({ hasText: /\bLinear\b/ })
    .filter({ has: page.locator('.codicon-symbol-class') }).first();
  const rows = await until(
    'pyright\'s completions of torch.nn.Li',
    async () => {
      if (!(await linear.isVisible())) {
        await page.keyboard.press('Control+Space');
        await page.waitForTimeout(3000);
      }
      return (await linear.isVisible()) && (await page.locator('.suggest-widget .monaco-list-row').allInnerTexts());
    },
    analysisTimeoutMs,
    2000,
  ).catch((e) => e);
  const completed = !(rows instanceof Error);
  check('pyright completes torch.nn.Li with Linear, from the copy of the container\'s libraries', completed, completed ? '' : rows.message);
  if (completed) log(`completions: ${rows.map((r) => r.split('\n')[0]).join(', ')}`);
  if (completed) check('they are many of torch.nn\'s classes, not one word', rows.length > 1, rows.join(' | '));
  // The details pane (Ctrl+Space again) shows Linear's signature from torch's source.
  await page.keyboard.press('Control+Space');
  await page.waitForTimeout(1500);
  await shot('vscode-6-torch-completions.png');
  if (!completed) return;
  await page.keyboard.press('Enter');
  // The hover on what was completed: pyright's signature of the class, read from torch's source.
  await palette(page, '>Show or Focus Hover', 'Show or Focus Hover');
  const hover = await until('the hover', async () => {
    const t = await page.locator('.monaco-hover-content').first().innerText();
    return /class Linear/.test(t) && t;
  }, 30_000).catch(() => '');
  check('the hover on it shows class Linear(in_features: int, ...) from the copy', /in_features/.test(hover), hover.slice(0, 200));
  await page.keyboard.press('Escape');
  await page.keyboard.type('(2, 3)');
  await page.keyboard.press('Escape');

  const unresolved = (t) => /Import "torch" could not be resolved/.test(t);
  let panel = await problems(page);
  // pyright has analysed train.py by now (it completed in it): no missing import, no unknown member.
  const withSettings = await panel.innerText();
  check('with the settings, pyright reports no missing torch and knows torch.nn.Linear', !unresolved(withSettings) && !/Linear.*is not a known/.test(withSettings), withSettings.slice(0, 400));

  // The settings file goes with them (the extension made it), so its editors are closed first.
  await palette(page, '>View: Close All Editors', 'Close All Editors');
  await page.locator('.monaco-dialog-box a.monaco-button, .monaco-dialog-box button', { hasText: "Don't Save" }).first()
    .click({ timeout: 3000 }).catch(() => undefined);
  await palette(page, 'train.py', 'train.py');
  await runCommand("Stop Using the Container's Python");
  const after = await until('the settings taken back', async () => {
    const s = folderSettings(workspace);
    return !(Interpreter in s) && !(ExtraPaths in s) && s;
  }, 30_000).catch(() => undefined);
  check('"Stop Using the Container\'s Python" takes both settings out of .vscode/settings.json', !!after, JSON.stringify(folderSettings(workspace)));
  panel = await problems(page);
  const without = await until('pyright to report the import missing', async () => {
    const t = await panel.innerText();
    return unresolved(t) && t;
  }, 120_000).catch(() => undefined);
  check('without them, pyright reports Import "torch" could not be resolved (the host has no torch)', !!without, (await panel.innerText()).slice(0, 400));
  await page.waitForTimeout(1000);
  await shot('vscode-7-host-python.png');
}
