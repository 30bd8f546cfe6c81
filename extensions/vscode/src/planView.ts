// The plan as the user reads it before confirming: what will be used and why. The server makes the
// decisions and writes their reasons; this only lays them out. Pure, so it is tested without VS Code.
import { Plan, PlanDecision } from './protocol';

type Alternative = string | { choice?: string; reason?: string };

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string') return o.version ? `${o.name} ${text(o.version)}` : o.name;
  }
  return JSON.stringify(v);
}

function decisions(plan: Plan): Array<PlanDecision | string> {
  return plan.decisions ?? plan.explanation ?? plan.reasons ?? [];
}

function decisionLine(d: PlanDecision | string): string {
  if (typeof d === 'string') return `- ${d}`;
  const what = d.what ?? d.topic;
  const choice = d.choice ?? d.chosen;
  const reason = d.reason ?? d.because;
  let line = '- ';
  if (what) line += `**${what}**: `;
  if (choice) line += `\`${choice}\``;
  if (reason) line += `${choice ? ', because ' : ''}${reason}`;
  const rejected: Alternative[] = d.rejected ?? d.alternatives ?? [];
  for (const r of rejected) {
    const alt = typeof r === 'string' ? r : `\`${r.choice ?? '?'}\`${r.reason ? `: ${r.reason}` : ''}`;
    line += `\n  - rejected ${alt}`;
  }
  return line;
}

// The headline facts of a plan, in a fixed order, for the confirm dialog.
export function planFacts(plan: Plan): Array<[string, string]> {
  const facts: Array<[string, string]> = [];
  const add = (label: string, v: unknown) => {
    const t = text(v);
    if (t) facts.push([label, t]);
  };
  add('Image', plan.image ?? plan.baseImage);
  add('Framework', plan.framework);
  add('CUDA', plan.cuda);
  add('Python', plan.python);
  return facts;
}

export function planSummary(plan: Plan): string {
  const facts = planFacts(plan).map(([k, v]) => `${k}: ${v}`);
  const reasons = decisions(plan)
    .map((d) => decisionLine(d).replace(/\*\*|`/g, ''))
    .slice(0, 8);
  return [...facts, ...(reasons.length ? ['', 'Why:', ...reasons] : [])].join('\n');
}

export function planMarkdown(plan: Plan, folder: string): string {
  const out = [`# dlcontainer plan for ${folder}`, ''];
  for (const [k, v] of planFacts(plan)) out.push(`- **${k}**: ${v}`);
  const ds = decisions(plan);
  if (ds.length) {
    out.push('', '## Decisions and their reasons', '');
    for (const d of ds) out.push(decisionLine(d));
  }
  out.push('', '## The plan as the server sent it', '', '```json', JSON.stringify(plan, null, 2), '```', '');
  return out.join('\n');
}
