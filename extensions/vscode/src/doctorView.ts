// The doctor's answer (core::DoctorReport) as a document: each check, its result, and the fix when it
// did not pass. The checks and their fixes are the server's; this only lays them out.
import { DoctorResult } from './protocol';

const marks: Record<string, string> = { ok: '✅', fail: '❌', warn: '⚠️', info: 'ℹ️' };

export function doctorMarkdown(r: DoctorResult): string {
  const out = ['# dlcontainer doctor', ''];
  out.push(r.ok ? 'A GPU container can be made on this host.' : 'A GPU container cannot be made yet: see the failed checks.', '');
  out.push(`GPUs would be attached by: ${r.method}${r.methodReason ? ` (${r.methodReason})` : ''}`, '');
  for (const c of r.checks) {
    out.push(`- ${marks[c.status] ?? '•'} **${c.title || c.id}**${c.result ? `: ${c.result}` : ''}`);
    if (c.fix && c.status !== 'ok') out.push(`  - fix: \`${c.fix}\``);
  }
  out.push('', '## The report as the server sent it', '', '```json', JSON.stringify(r, null, 2), '```', '');
  return out.join('\n');
}
