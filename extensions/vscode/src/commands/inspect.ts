// Commands that only look: the plan for a folder, and the doctor's checks of this host.
import * as vscode from 'vscode';
import { Ctx } from '../context';
import { doctorMarkdown } from '../doctorView';
import { planMarkdown } from '../planView';
import { WorkspacePlanResult } from '../protocol';

// The server's plan for the folder (workspace/plan, core::PlanResult), also opened as a document.
export async function plan(ctx: Ctx, folder: vscode.WorkspaceFolder): Promise<WorkspacePlanResult> {
  await ctx.requireMethod('workspace/plan', 'plans');
  const answer = await ctx.withProgress('Planning the container', 'workspace/plan', { workspace: folder.uri.fsPath });
  await ctx.docs.show(`plan-${folder.name}.md`, planMarkdown(answer, folder.uri.fsPath));
  return answer;
}

export async function showPlan(ctx: Ctx): Promise<void> {
  const folder = await ctx.folder();
  if (folder) await plan(ctx, folder);
}

// The host's checks (core::DoctorReport), each with its fix.
export async function doctor(ctx: Ctx): Promise<void> {
  await ctx.requireMethod('doctor', 'the doctor');
  const report = await ctx.withProgress('Checking this host', 'doctor', {});
  await ctx.docs.show('doctor.md', doctorMarkdown(report));
}
