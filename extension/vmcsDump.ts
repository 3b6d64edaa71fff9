// Finds a pasted Xen/KVM VMCS dump (editor selection, the whole file, or the clipboard) and checks it with the
// bundled CLI (`node dist/cli.js vmcheck - --json`) in a child process, so extension/ never imports the emulator
// (STYLE D2). The checks themselves are SDM Vol. 3 §26.3 (emulator/vmx). Imports 'vscode', Node and protocol/.
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ProfileName } from '../protocol/customRequests';
import type { VmcheckDumpsJson, VmcheckJson } from '../protocol/webview';

export interface DumpText {
  text: string;
  /** "the selection in boot.log", "xen.log", "the clipboard" */
  origin: string;
}

export class VmcheckError extends Error {}

/** A place a dump may be; read only when the places before it held none (the clipboard may prompt). */
export type DumpSource = () => Promise<DumpText | undefined>;

/** Candidates in order: the active editor's selection, then its whole file, then the clipboard. */
export function dumpCandidates(): DumpSource[] {
  const out: DumpSource[] = [];
  const ed = vscode.window.activeTextEditor;
  if (ed) {
    const name = ed.document.uri.path.split('/').pop() || 'the editor';
    const sel = ed.selections.map((s) => ed.document.getText(s)).filter((t) => t.trim() !== '').join('\n');
    if (sel) out.push(async () => ({ text: sel, origin: `the selection in ${name}` }));
    else if (ed.document.getText().trim() !== '') out.push(async () => ({ text: ed.document.getText(), origin: name }));
  }
  out.push(async () => {
    try {
      const clip = await vscode.env.clipboard.readText();
      return clip.trim() === '' ? undefined : { text: clip, origin: 'the clipboard' };
    } catch {
      return undefined;
    }
  });
  return out;
}

/**
 * Runs `bootscope vmcheck - --json --profile P [--dump N]` on the text: every dump's result, in text order.
 * Rejects with the CLI's message on exit 1 or 2.
 */
export function runVmcheck(extensionPath: string, text: string, profile: ProfileName, dump?: number): Promise<VmcheckJson[]> {
  const cli = join(extensionPath, 'dist', 'cli.js');
  return new Promise((resolve, reject) => {
    const args = [cli, 'vmcheck', '-', '--json', '--profile', profile, ...(dump !== undefined ? ['--dump', String(dump)] : [])];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new VmcheckError(`could not run the Bootscope CLI (${cli}): ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) {
        try {
          const j = JSON.parse(out) as VmcheckJson | VmcheckDumpsJson;
          resolve('dumps' in j ? j.dumps : [j]);
        } catch {
          reject(new VmcheckError('the Bootscope CLI printed something that is not JSON'));
        }
      } else {
        reject(new VmcheckError(err.trim() || `bootscope vmcheck exited with code ${code}`));
      }
    });
    child.stdin.end(text);
  });
}

/** A text with several dumps: the user picks one (labelled by source, lines and verdict); undefined if dismissed. */
async function pickDump(results: VmcheckJson[], origin: string): Promise<VmcheckJson | undefined> {
  if (results.length === 1) return results[0];
  const items = results.map((r) => ({
    label: `dump ${r.dump?.index ?? '?'}: ${r.source === 'kvm' ? 'KVM' : 'Xen'}${r.format ? ` (${r.format})` : ''}`,
    description: r.dump ? `lines ${r.dump.firstLine}-${r.dump.lastLine}` : undefined,
    detail: `verdict ${r.verdict}, ${r.checks.filter((c) => c.status === 'fail').length} failing`,
    result: r,
  }));
  return (await vscode.window.showQuickPick(items, { title: `${origin} has ${results.length} VMCS dumps: which one to check?` }))?.result;
}

/** Checks the first candidate that holds a dump (the user picks among several); the error says what was tried when none does. */
export async function checkFirstDump(extensionPath: string, profile: ProfileName, sources: DumpSource[]): Promise<{ dump: DumpText; result: VmcheckJson } | undefined> {
  const tried: string[] = [];
  for (const source of sources) {
    const c = await source();
    if (!c) continue;
    let results: VmcheckJson[];
    try {
      results = await runVmcheck(extensionPath, c.text, profile);
    } catch (e) {
      tried.push(`${c.origin}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const result = await pickDump(results, c.origin);
    return result && { dump: c, result };
  }
  throw new VmcheckError(tried.length === 0
    ? 'no VMCS dump found: select a Xen ("*** Guest State ***") or KVM (dump_vmcs) dump in an editor, open a file with one, or copy one to the clipboard.'
    : `no VMCS dump found in ${tried.join('; ')}`);
}
