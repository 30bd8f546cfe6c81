// The plan view against what the real binary answers: `dlcontainer plan --json` prints the same
// core::PlanResult that workspace/plan sends, so the confirm dialog and the plan document are checked
// on the server's own shape, not on a copy of it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { planFacts, planMarkdown, planSummary } from '../../src/planView';
import { WorkspacePlanResult } from '../../src/protocol';
import { requireServer, serverBinary } from '../support/server';

const repoRoot = path.resolve(__dirname, '../../../..');

function plan(folder: string, ...flags: string[]): WorkspacePlanResult {
  return JSON.parse(execFileSync(serverBinary(), ['plan', folder, '--json', ...flags], { encoding: 'utf8', timeout: 60_000 }));
}

describe('plan view on the real server\'s plan', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dlc-vscode-plan-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('an inferred plan (no devcontainer.json): image, framework, CUDA and every decision with its reason and source', (t) => {
    if (!requireServer(t, false)) return;
    const folder = path.join(root, 'paper');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'requirements.txt'), 'torch==1.11.0\nnumpy\n');
    fs.writeFileSync(path.join(folder, 'train.py'), 'import torch\n');
    // Planned for a given driver, so the answer does not depend on this host's GPUs.
    const r = plan(folder, '--driver', '515.48.07');
    assert.equal(r.plan.mode, 'image');
    assert.ok(r.plan.baseImage && r.image && r.dockerfile, JSON.stringify(r).slice(0, 400));

    const facts = new Map(planFacts(r));
    assert.equal(facts.get('Image'), `${r.plan.baseImage}, built as ${r.image}`);
    assert.equal(facts.get('Framework'), `${r.plan.framework} ${r.plan.frameworkVersion}`);
    assert.match(facts.get('CUDA') ?? '', new RegExp(`^${r.plan.cuda!.replace('.', '\\.')}`));
    assert.equal(facts.get('Planned for'), r.plan.host);

    const md = planMarkdown(r, folder);
    const decisions = r.plan.decisions;
    assert.ok(decisions.length >= 3, 'the server explains its choices');
    for (const d of decisions) {
      assert.ok(md.includes(d.reason!), `the document carries the reason for ${d.topic}: ${d.reason}`);
      for (const f of d.facts ?? []) assert.ok(md.includes(f.line ? `${f.file}:${f.line}` : f.file), `and its source ${f.file}`);
      for (const rej of d.rejected ?? []) assert.ok(md.includes(`rejected ${rej}`));
    }
    // requirements.txt:1 is where torch==1.11.0 was read.
    assert.match(md, /from requirements\.txt:1/);
    assert.ok(md.includes(r.dockerfile!.split('\n')[1]), 'the Dockerfile up builds is shown');

    const summary = planSummary(r);
    assert.ok(summary.startsWith(`Image: ${r.plan.baseImage}`), summary);
    const image = decisions.find((d) => d.topic === 'image')!;
    assert.ok(summary.includes(`image: ${image.choice} (${image.reason})`), summary);
  });

  test('the bundled example with its devcontainer.json: used as written, and the reason says so', (t) => {
    if (!requireServer(t, false)) return;
    const r = plan(path.join(repoRoot, 'examples/mnist'), '--no-gpu');
    assert.equal(r.plan.mode, 'devcontainer');
    const summary = planSummary(r);
    assert.match(summary, /^Image: its devcontainer\.json/);
    const source = r.plan.decisions.find((d) => d.topic === 'source')!;
    assert.ok(summary.includes(source.reason!), summary);
    assert.doesNotMatch(summary, /CUDA/, 'a CPU plan of a devcontainer.json says nothing of CUDA');
  });
});
