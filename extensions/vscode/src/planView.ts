// The plan as the user reads it before confirming: what will be used and why. The server makes the
// decisions and writes their reasons; this only lays them out. Pure, so it is tested without VS Code.
// workspace/plan answers core::PlanResult ({workspace, plan, facts, dockerfile, image}), as
// `dlcontainer plan --json` prints it.
import { Source, WorkspacePlanResult } from './protocol';

type Plan = WorkspacePlanResult['plan'];
type PlanDecision = Plan['decisions'][number];

const where = (s: Source) => (s.line ? `${s.file}:${s.line}` : s.file);

function decisionLine(d: PlanDecision): string {
  let line = '- ';
  if (d.topic) line += `**${d.topic}**: `;
  if (d.choice) line += `\`${d.choice}\``;
  if (d.reason) line += `${d.choice ? ', because ' : ''}${d.reason}`;
  if (d.facts?.length) line += `\n  - from ${d.facts.map(where).join(', ')}`;
  for (const c of d.citations ?? []) line += `\n  - source: ${c}`;
  for (const r of d.rejected ?? []) line += `\n  - rejected ${r}`;
  return line;
}

function imageFact(r: WorkspacePlanResult): string {
  const p = r.plan;
  if (p.mode === 'dockerfile') return `the repository's ${p.dockerfile ?? 'Dockerfile'}${p.baseImage ? ` (FROM ${p.baseImage})` : ''}`;
  if (p.mode === 'devcontainer') return `its devcontainer.json${p.baseImage ? ` (${p.baseImage})` : ''}`;
  if (!p.baseImage) return '';
  return r.image ? `${p.baseImage}, built as ${r.image}` : p.baseImage;
}

function cudaFact(p: Plan): string | undefined {
  if (p.gpu === false) return p.mode === 'image' ? 'none (a CPU image)' : undefined;
  if (!p.cuda) return undefined;
  let s = p.cuda;
  if (p.cudnn) s += `, cuDNN ${p.cudnn}`;
  if (p.flavor) s += `, ${p.flavor}`;
  if (p.minorVersionCompatibility) s += ' (minor-version compatibility)';
  return s;
}

// The headline facts of a plan, in a fixed order, for the confirm dialog.
export function planFacts(r: WorkspacePlanResult): Array<[string, string]> {
  const p = r.plan;
  const facts: Array<[string, string]> = [];
  const add = (label: string, v: string | undefined) => {
    if (v) facts.push([label, v]);
  };
  add('Image', imageFact(r));
  add('Framework', [p.framework, p.frameworkVersion].filter(Boolean).join(' '));
  add('CUDA', cudaFact(p));
  add('Driver needed', p.gpu !== false && p.driverRequired ? `≥ ${p.driverRequired}` : undefined);
  add('Python', p.mode === 'image' ? p.python || "the image's own" : p.python);
  add('apt', p.aptPackages?.join(' '));
  const pip = p.pipPackages?.join(' ') ?? '';
  add('pip', pip.length > 100 ? `${pip.slice(0, 97)}…` : pip);
  add('Planned for', p.host);
  return facts;
}

export function planSummary(r: WorkspacePlanResult): string {
  const p = r.plan;
  const facts = planFacts(r).map(([k, v]) => `${k}: ${v}`);
  const reasons = (p.decisions ?? [])
    .map((d) => `${d.topic ? `${d.topic}: ` : ''}${d.choice}${d.reason ? ` (${d.reason})` : ''}`)
    .slice(0, 8)
    .map((l) => `• ${l}`);
  const warnings = (p.warnings ?? []).map((w) => `⚠ ${w}`);
  return [...facts, ...(reasons.length ? ['', 'Why:', ...reasons] : []), ...(warnings.length ? ['', ...warnings] : [])].join('\n');
}

export function planMarkdown(r: WorkspacePlanResult, folder: string): string {
  const p = r.plan;
  const out = [`# dlcontainer plan for ${r.workspace || folder}`, ''];
  if (p.commitDate) out.push(`For the repository's HEAD of ${p.commitDate}.`, '');
  for (const [k, v] of planFacts(r)) out.push(`- **${k}**: ${v}`);
  if (p.warnings?.length) {
    out.push('', '## Warnings', '');
    for (const w of p.warnings) out.push(`- ⚠ ${w}`);
  }
  const ds = p.decisions ?? [];
  if (ds.length) {
    out.push('', '## Decisions and their reasons', '');
    for (const d of ds) out.push(decisionLine(d));
  }
  if (r.dockerfile) {
    out.push('', `## The Dockerfile \`up\` builds${r.image ? ` (${r.image})` : ''}`, '', '```dockerfile', r.dockerfile.trimEnd(), '```');
  }
  out.push('', '## The plan as the server sent it', '', '```json', JSON.stringify(p, null, 2), '```', '');
  return out.join('\n');
}
