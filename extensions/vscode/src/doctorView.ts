// The doctor's answer (core::DoctorReport) as a document: each check, its result, and the fix when it
// did not pass. The checks and their fixes are the server's; this only lays them out.

interface Check {
  id?: string;
  title?: string;
  status?: string; // ok | warn | fail | info
  result?: string;
  fix?: string;
}

interface Report {
  ok?: boolean;
  method?: string; // the attach method `up` would use
  methodReason?: string;
  checks?: Check[];
}

const marks: Record<string, string> = { ok: '✅', fail: '❌', warn: '⚠️', info: 'ℹ️' };

export function doctorMarkdown(report: unknown): string {
  const r = (report ?? {}) as Report;
  const out = ['# dlcontainer doctor', ''];
  if (typeof r.ok === 'boolean') {
    out.push(r.ok ? 'A GPU container can be made on this host.' : 'A GPU container cannot be made yet: see the failed checks.', '');
  }
  if (r.method) out.push(`GPUs would be attached by: ${r.method}${r.methodReason ? ` (${r.methodReason})` : ''}`, '');
  for (const c of r.checks ?? []) {
    out.push(`- ${marks[c.status ?? ''] ?? '•'} **${c.title ?? c.id ?? 'check'}**${c.result ? `: ${c.result}` : ''}`);
    if (c.fix && c.status !== 'ok') out.push(`  - fix: \`${c.fix}\``);
  }
  out.push('', '## The report as the server sent it', '', '```json', JSON.stringify(report, null, 2), '```', '');
  return out.join('\n');
}
