// The doctor's answer as a document: each check, its result, and the fix when it failed. The checks
// and their fixes are the server's; this only lays them out.

interface Check {
  name?: string;
  check?: string;
  title?: string;
  ok?: boolean;
  passed?: boolean;
  status?: string;
  message?: string;
  detail?: string;
  result?: string;
  value?: string;
  fix?: string;
  hint?: string;
}

function passed(c: Check): boolean | undefined {
  if (typeof c.ok === 'boolean') return c.ok;
  if (typeof c.passed === 'boolean') return c.passed;
  if (typeof c.status === 'string') {
    if (['ok', 'pass', 'passed', 'good'].includes(c.status)) return true;
    if (['fail', 'failed', 'error', 'bad'].includes(c.status)) return false;
  }
  return undefined;
}

export function doctorMarkdown(report: unknown): string {
  const r = (report ?? {}) as { checks?: Check[]; ok?: boolean; summary?: string; method?: string; methodReason?: string };
  const out = ['# dlcontainer doctor', ''];
  if (typeof r.ok === 'boolean') {
    out.push(r.ok ? 'A GPU container can be made on this host.' : 'A GPU container cannot be made yet: see the failed checks.', '');
  }
  if (r.summary) out.push(r.summary, '');
  if (r.method) out.push(`GPUs would be attached by: ${r.method}${r.methodReason ? ` (${r.methodReason})` : ''}`, '');
  for (const c of r.checks ?? []) {
    const p = passed(c);
    const mark =
      p === true ? '✅' : p === false ? '❌' : c.status === 'warn' || c.status === 'warning' ? '⚠️' : c.status === 'info' ? 'ℹ️' : '•';
    const detail = c.message ?? c.detail ?? c.result ?? c.value ?? '';
    out.push(`- ${mark} **${c.name ?? c.check ?? c.title ?? 'check'}**${detail ? `: ${detail}` : ''}`);
    const fix = c.fix ?? c.hint;
    if (fix && p !== true) out.push(`  - fix: \`${fix}\``);
  }
  out.push('', '## The report as the server sent it', '', '```json', JSON.stringify(report, null, 2), '```', '');
  return out.join('\n');
}
