// The plan as the user reads it before confirming: what will be used and why. The server makes the
// decisions and writes their reasons; this only lays them out. Pure, so it is tested without VS Code.
import { Plan, PlanDecision } from './protocol';

function decisionLine(d: PlanDecision | string): string {
  if (typeof d === 'string') return `- ${d}`;
  let line = '- ';
  if (d.topic) line += `**${d.topic}**: `;
  if (d.choice) line += `\`${d.choice}\``;
  if (d.reason) line += `${d.choice ? ', because ' : ''}${d.reason}`;
  for (const r of d.rejected ?? []) line += `\n  - rejected ${r}`;
  for (const c of d.citations ?? []) line += `\n  - source: ${c}`;
  return line;
}

// The headline facts of a plan, in a fixed order, for the confirm dialog.
export function planFacts(plan: Plan): Array<[string, string]> {
  const facts: Array<[string, string]> = [];
  const add = (label: string, v: string | undefined) => {
    if (v) facts.push([label, v]);
  };
  const source = plan.mode === 'dockerfile' ? `the repository's ${plan.dockerfile ?? 'Dockerfile'}` : plan.mode === 'devcontainer' ? 'its devcontainer.json' : '';
  add('Image', plan.baseImage ? `${plan.baseImage}${source ? ` (from ${source})` : ''}` : source);
  add('Framework', [plan.framework, plan.frameworkVersion].filter(Boolean).join(' '));
  add('CUDA', plan.gpu === false ? 'none (CPU)' : [plan.cuda, plan.cudnn ? `cuDNN ${plan.cudnn}` : ''].filter(Boolean).join(', '));
  add('Python', plan.python);
  add('Driver needed', plan.driverRequired ? `≥ ${plan.driverRequired}` : undefined);
  add('Planned for', plan.host);
  return facts;
}

export function planSummary(plan: Plan): string {
  const facts = planFacts(plan).map(([k, v]) => `${k}: ${v}`);
  const reasons = (plan.decisions ?? [])
    .map((d) => (typeof d === 'string' ? d : `${d.topic ? `${d.topic}: ` : ''}${d.choice ?? ''}${d.reason ? ` (${d.reason})` : ''}`))
    .slice(0, 8)
    .map((l) => `• ${l}`);
  const warnings = (plan.warnings ?? []).map((w) => `⚠ ${w}`);
  return [...facts, ...(reasons.length ? ['', 'Why:', ...reasons] : []), ...(warnings.length ? ['', ...warnings] : [])].join('\n');
}

export function planMarkdown(plan: Plan, folder: string): string {
  const out = [`# dlcontainer plan for ${folder}`, ''];
  for (const [k, v] of planFacts(plan)) out.push(`- **${k}**: ${v}`);
  if (plan.warnings?.length) {
    out.push('', '## Warnings', '');
    for (const w of plan.warnings) out.push(`- ⚠ ${w}`);
  }
  const ds = plan.decisions ?? [];
  if (ds.length) {
    out.push('', '## Decisions and their reasons', '');
    for (const d of ds) out.push(decisionLine(d));
  }
  out.push('', '## The plan as the server sent it', '', '```json', JSON.stringify(plan, null, 2), '```', '');
  return out.join('\n');
}
