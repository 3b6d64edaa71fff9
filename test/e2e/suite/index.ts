// Extension integration tests run inside a real VS Code (code-server's Node extension host) through the
// @vscode/test-electron `run()` contract: activation, command registration, launch validation, the VMCS dump
// panels from a pasted Xen dump, and (when dist/debugAdapter.js exists) F5 on boot.bin → paused at 0000:7C00.
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { BootscopeApi } from '../../../extension/extension';

const COMMANDS = ['bootscope.showDescriptorTables', 'bootscope.showVmcs', 'bootscope.showVmEntryChecks', 'bootscope.showScreen', 'bootscope.showTimeline', 'bootscope.showFault', 'bootscope.showCompare', 'bootscope.checkVmcsDump', 'bootscope.compareVmcsDump'];

type Case = [string, (api: BootscopeApi) => Promise<void>];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function folder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test workspace is open');
  return f;
}
const file = (name: string) => vscode.Uri.joinPath(folder().uri, name);
const panel = (api: BootscopeApi, kind: string, owner?: string) => api.panels().find((p) => p.kind === kind && (owner === undefined || p.key.startsWith(`${owner}/`)));

const cases: Case[] = [
  ['all commands of CLI.md are registered', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of COMMANDS) assert.ok(all.includes(c), c);
  }],
  ['invalid launch configurations do not start (missing image, unknown cpu, memoryMB 0)', async () => {
    const base = { type: 'bootscope', request: 'launch', name: 'invalid' };
    assert.equal(await vscode.debug.startDebugging(folder(), base), false);
    assert.equal(await vscode.debug.startDebugging(folder(), { ...base, image: file('boot.bin').fsPath, cpu: 'z80' }), false);
    assert.equal(await vscode.debug.startDebugging(folder(), { ...base, image: file('boot.bin').fsPath, memoryMB: 0 }), false);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  }],
  ['Show VMCS without a session says how to get one', async (api) => {
    await vscode.commands.executeCommand('bootscope.showVmcs');
    const p = await until('VMCS panel', () => panel(api, 'vmcs', 'none'));
    assert.match(p.html, /<h1 id="heading">VMCS<\/h1>/);
    assert.match(p.html, /No Bootscope debug session is active/);
  }],
  ['Check VMCS Dump on a whole file: VM Entry Checks panel, failures grouped, pasted HTML stays text', async (api) => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file('xen-dump.txt')));
    await vscode.commands.executeCommand('bootscope.checkVmcsDump');
    const p = await until('VM Entry Checks panel', () => panel(api, 'vmEntryChecks', 'dump'));
    assert.match(p.html, /<h1 id="heading">VM Entry Checks<\/h1>/);
    assert.match(p.html, /id="verdict">fail</);
    assert.match(p.html, /Xen dump .* from xen-dump\.txt/);
    assert.ok(!/<img/i.test(p.html));
    // The page's own two scripts (the @vscode-elements bundle and the message glue), both with the CSP nonce; none from the dump.
    const scripts = [...p.html.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    assert.equal(scripts.length, 2, scripts.join(' '));
    assert.ok(scripts.every((t) => /nonce="[^"]+"/.test(t)), scripts.join(' '));
  }],
  ['Check VMCS Dump on a selection', async (api) => {
    const doc = await vscode.workspace.openTextDocument(file('kvm-dump.txt'));
    const ed = await vscode.window.showTextDocument(doc);
    ed.selection = new vscode.Selection(0, 0, doc.lineCount, 0);
    await vscode.commands.executeCommand('bootscope.checkVmcsDump');
    const p = await until('dump panel from the selection', () => { const x = panel(api, 'vmEntryChecks', 'dump'); return x && /KVM dump/.test(x.html) ? x : undefined; });
    assert.match(p.html, /the selection in kvm-dump\.txt/);
  }],
  ['Check VMCS Dump from the clipboard when no editor is open', async (api) => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file('kvm-dump.txt')));
    await vscode.env.clipboard.writeText(text);
    await vscode.commands.executeCommand('bootscope.checkVmcsDump');
    const p = await until('dump panel from the clipboard', () => { const x = panel(api, 'vmEntryChecks', 'dump'); return x && /from the clipboard/.test(x.html) ? x : undefined; });
    assert.match(p.html, /KVM dump/);
  }],
];

/** F5-equivalent launch of boot.bin; resolves once the adapter reported `stopped`. */
async function launchAndWaitForStop(extra: Record<string, unknown> = {}): Promise<vscode.DebugSession> {
  let stopped: vscode.DebugSession | undefined;
  const tracker = vscode.debug.registerDebugAdapterTrackerFactory('bootscope', {
    createDebugAdapterTracker: (s) => ({ onDidSendMessage: (m: { type?: string; event?: string }) => { if (m.type === 'event' && m.event === 'stopped') stopped = s; } }),
  });
  try {
    assert.ok(await vscode.debug.startDebugging(folder(), { type: 'bootscope', request: 'launch', name: 'boot', image: file('boot.bin').fsPath, stopOnEntry: true, ...extra }));
    return await until('stopped event', () => stopped, 30000);
  } finally {
    tracker.dispose();
  }
}

const adapterCases: Case[] = [
  ['F5 on boot.bin stops at 0000:7C00; status bar, panels per session, closed with it', async (api) => {
    const session = await launchAndWaitForStop();
    const st = (await session.customRequest('stackTrace', { threadId: 1, startFrame: 0, levels: 1 })) as { stackFrames: { name: string }[] };
    assert.match(st.stackFrames[0].name, /^0000:7C00\b/, st.stackFrames[0].name);
    await until('status bar shows mode and CS:IP', () => /real 0000:7C00 #0\b/.test(api.statusText()) || undefined);
    await vscode.commands.executeCommand('bootscope.showVmEntryChecks');
    const checks = await until('session VM Entry Checks panel', () => panel(api, 'vmEntryChecks', session.id));
    assert.match(checks.html, /<h1 id="heading">VM Entry Checks<\/h1>/);
    await vscode.commands.executeCommand('bootscope.showDescriptorTables');
    const dt = await until('Descriptor Tables panel', () => panel(api, 'descriptorTables', session.id));
    assert.match(dt.html, /<h1 id="heading">Descriptor Tables<\/h1>/);
    assert.match(dt.html, /IVT \(real-mode interrupt vectors\)/);
    // A click on a gate (here IVT entry 10h, the BIOS video service) opens the disassembly document holding its
    // target (the adapter's DAP source, as frames without a listing show) with the cursor on the target's line.
    const gate = /data-msg="\{&#34;type&#34;:&#34;disassemble&#34;,&#34;selector&#34;:(\d+),&#34;offset&#34;:(\d+)\}"/.exec(dt.html.slice(dt.html.indexOf('>0x10</a>')) ?? '');
    assert.ok(gate, 'a gate row with a disassemble action');
    const [sel, off] = [Number(gate[1]), Number(gate[2])];
    await api.postToPanel(`${session.id}/descriptorTables`, { type: 'disassemble', selector: sel, offset: off });
    const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
    const dis = await until('disassembly document at the gate target', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.scheme === 'debug' && e.document.languageId === 'bootscope-disassembly' ? e : undefined;
    });
    assert.match(dis.document.lineAt(dis.selection.active.line).text, new RegExp(`^${hex4(sel)}:${hex4(off)}  [0-9a-f]+ +\\S`));
    await vscode.commands.executeCommand('bootscope.showScreen');
    const screen = await until('Screen panel', () => panel(api, 'screen', session.id));
    assert.match(screen.html, /id="screen"/);
    await vscode.commands.executeCommand('bootscope.showTimeline');
    assert.ok(await until('Timeline panel', () => panel(api, 'timeline', session.id)));
    await vscode.commands.executeCommand('bootscope.showVmcs');
    const vmcs = await until('session VMCS panel', () => { const x = panel(api, 'vmcs', session.id); return x && /GUEST_CS_SELECTOR/.test(x.html) ? x : undefined; });
    assert.match(vmcs.html, /<h2>Segment registers<\/h2>/);
    // The session's five panels are tabs of one editor group beside the code, not a column each.
    const columns = api.panels().filter((x) => x.key.startsWith(`${session.id}/`)).map((x) => x.column);
    assert.equal(columns.length, 5);
    assert.equal(new Set(columns).size, 1, `panel columns ${columns.join(', ')}`);
    // Compare with a dump: live state beside the dump's guest state, differences counted.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file('xen-dump.txt')));
    await vscode.commands.executeCommand('bootscope.compareVmcsDump');
    const cmp = await until('VMCS compared with the dump', () => { const x = panel(api, 'vmcs', session.id); return x && /id="differences"/.test(x.html) ? x : undefined; });
    assert.match(cmp.html, /<th>dump \(xen-dump\.txt\)<\/th>/);
    assert.match(cmp.html, /id="differences">[1-9]\d* fields? differ/);
    await vscode.debug.stopDebugging(session);
    await until('panels closed with the session', () => (api.panels().some((p) => p.key.startsWith(`${session.id}/`)) ? undefined : true));
  }],
  ['the adapter also runs inside the extension host (runMode inline)', async () => {
    const session = await launchAndWaitForStop({ runMode: 'inline' });
    const st = (await session.customRequest('stackTrace', { threadId: 1, startFrame: 0, levels: 1 })) as { stackFrames: { name: string }[] };
    assert.match(st.stackFrames[0].name, /^0000:7C00\b/);
    await vscode.debug.stopDebugging(session);
  }],
];

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<BootscopeApi>('bootscope.bootscope');
  assert.ok(ext, 'extension bootscope.bootscope is installed');
  const api = await ext.activate();
  const all = existsSync(api.adapterPath) ? [...cases, ...adapterCases] : cases;
  if (all === cases) console.log(`[bootscope] ${api.adapterPath} not built: skipping the debug-session cases`);
  const failures: string[] = [];
  for (const [name, f] of all) {
    try {
      await f(api);
      console.log(`[bootscope] ok   ${name}`);
    } catch (e) {
      failures.push(name);
      console.log(`[bootscope] FAIL ${name}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }
  console.log(`[bootscope] ${all.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length > 0) throw new Error(`${failures.length} extension test(s) failed: ${failures.join('; ')}`);
}
