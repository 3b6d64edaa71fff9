// The panels' data: for each kind, a PanelSource that asks the adapter through the typed custom requests
// (protocol/customRequests.ts) and renders with views/*/render.ts, plus the VMCS dump commands. Keeps per-session state
// (profile, previous values for change highlights, live screen polling). Imports 'vscode', Node and protocol/.
import * as vscode from 'vscode';
import { CustomRequest, type DescriptorTablesResponse, type ProfileName, type StatusResponse, type VmcsRow } from '../protocol/customRequests';
import { type FromWebview, type VmcheckJson } from '../protocol/webview';
import { DEBUG_TYPE, Settings, setting } from './contributions';
import { openDisassembly } from './disassemblyDocument';
import { panelRequest } from './customRequests';
import { checkFirstDump, dumpCandidates, runVmcheck, type DumpText } from './vmcsDump';
import type { Panel, PanelKind, PanelSource, WebviewHost } from './webviewHost';
import { type Html, messageBox } from './views/html';
import { foldTables } from './views/descriptorTables/model';
import { renderDescriptorTables } from './views/descriptorTables/render';
import { renderFault } from './views/fault/render';
import { renderScreen } from './views/screen/render';
import { renderTimeline, type TimelineRanges, zoomWindow } from './views/timeline/render';
import { renderCompare } from './views/compare/render';
import { fromDump, fromLive, renderChecks } from './views/vmEntryCheck/render';
import { renderVmcs, rowsFromDump } from './views/vmcs/render';

interface SessionState {
  profile: ProfileName;
  running: boolean;
  prevVmcs?: Map<string, number | undefined>;
  prevDescriptors?: Map<string, string>;
  compare?: { label: string; values: Map<string, number | undefined> };
  screenTimer?: ReturnType<typeof setInterval>;
  /** The Timeline panel's zoom window (null: the whole recording) and the ranges of its last answer. */
  timelineWindow?: { from: number; to: number } | null;
  timelineLast?: TimelineRanges;
}

const NO_SESSION = 'No Bootscope debug session is active. Start one (F5 on a boot image) to see this panel; pasted VMCS dumps work without one ("Bootscope: Check VMCS Dump…").';

export class Panels implements vscode.Disposable {
  private readonly sessions = new Map<string, SessionState>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly host: WebviewHost, private readonly extensionPath: string) {
    this.subscriptions.push(vscode.debug.onDidTerminateDebugSession((s) => {
      const st = this.sessions.get(s.id);
      if (st?.screenTimer) clearInterval(st.screenTimer);
      this.sessions.delete(s.id);
    }));
  }

  private state(session: vscode.DebugSession): SessionState {
    let st = this.sessions.get(session.id);
    if (!st) {
      const p = session.configuration.profile as ProfileName | undefined;
      st = { profile: p ?? 'raw', running: false };
      this.sessions.set(session.id, st);
    }
    return st;
  }

  private activeSession(): vscode.DebugSession | undefined {
    const s = vscode.debug.activeDebugSession;
    return s?.type === DEBUG_TYPE ? s : undefined;
  }

  /** A panel of `kind` for the active session, or a panel that says there is none. */
  async showLive(kind: PanelKind): Promise<Panel> {
    const session = this.activeSession();
    if (!session) return this.host.show(kind, 'none', undefined, () => ({ render: async () => messageBox(NO_SESSION) }), true);
    return this.host.show(kind, session.id, session.name, () => this.liveSource(kind, session));
  }

  private liveSource(kind: PanelKind, session: vscode.DebugSession): PanelSource {
    const st = this.state(session);
    const common = async (m: FromWebview, panel: Panel) => {
      switch (m.type) {
        case 'setProfile': st.profile = m.profile; await this.host.refreshSession(session.id); break;
        case 'openMemory': await openMemory(session, m.address); break;
        case 'disassemble':
          await openDisassembly(session, m.selector, m.offset);
          break;
        case 'findFailureStart': {
          const r = await panelRequest(session, CustomRequest.FindCheckFailureStart, { profile: st.profile, checkId: m.checkId });
          if (!r.ok) void vscode.window.showWarningMessage(r.message);
          else void vscode.window.showInformationMessage(r.body.message ?? `${m.checkId}: ${r.body.found ? 'found' : 'failing since the start of the recording'}`);
          break;
        }
        case 'findFaultWrite': {
          const r = await panelRequest(session, CustomRequest.FindFaultWrite, { link: m.link, subject: m.subject });
          if (!r.ok) void vscode.window.showWarningMessage(r.message);
          else void vscode.window.showInformationMessage(r.body.message);
          break;
        }
        case 'showDescriptorTables': await this.showLive('descriptorTables'); break;
        case 'travel': {
          const r = await panelRequest(session, CustomRequest.GotoInstruction, { instruction: m.instruction });
          if (!r.ok) void vscode.window.showWarningMessage(r.message);
          break;
        }
        case 'zoom': {
          st.timelineWindow = zoomWindow(m.zoom, st.timelineLast);
          await panel.refresh();
          break;
        }
        case 'compareAgain': {
          const r = await panelRequest(session, CustomRequest.CompareAgain, {});
          if (!r.ok) void vscode.window.showWarningMessage(r.message);
          else await panel.refresh();
          break;
        }
        case 'keys': {
          const r = await panelRequest(session, CustomRequest.TypeKeys, { text: m.text });
          if (!r.ok) void vscode.window.showWarningMessage(r.message);
          else if (!st.running) await panel.refresh();
          break;
        }
        default: break;
      }
    };
    const sources: Record<PanelKind, () => Promise<Html>> = {
      descriptorTables: async () => {
        const view = await readDescriptorTables(session);
        if (typeof view === 'string') return messageBox(view);
        const prev = st.prevDescriptors, next = new Map<string, string>();
        for (const t of view.tables) for (const e of t.entries) {
          const k = `${t.name}/${e.index}`, v = JSON.stringify([e.raw, e.gate?.selector, e.gate?.offset]);
          next.set(k, v);
          if (e.changed === undefined && prev) e.changed = prev.has(k) && prev.get(k) !== v;
        }
        st.prevDescriptors = next;
        return renderDescriptorTables(foldTables(view));
      },
      vmcs: async () => {
        const rows = await readVmcsRows(session, st.profile);
        if (typeof rows === 'string') return messageBox(rows);
        markChanged(rows, st.prevVmcs);
        st.prevVmcs = new Map(rows.map((x) => [x.name, x.value]));
        return renderVmcs({ profile: st.profile, source: `live state of ${session.name} under ${st.profile}`, rows, compare: st.compare, showPicker: true });
      },
      vmEntryChecks: async () => {
        const r = await panelRequest(session, CustomRequest.CheckVmEntry, { profile: st.profile });
        return r.ok ? renderChecks(fromLive({ ...r.body, profile: st.profile })) : messageBox(r.message);
      },
      screen: async () => {
        const r = await panelRequest(session, CustomRequest.ReadScreen, {});
        return r.ok ? renderScreen(r.body, st.running) : messageBox(r.message);
      },
      timeline: async () => {
        const r = await panelRequest(session, CustomRequest.ReadTimeline, { profile: st.profile, ...(st.timelineWindow ?? {}) });
        if (!r.ok) return messageBox(r.message);
        st.timelineLast = r.body;
        // A long recording is built over several requests: ask again while the session stays paused.
        if (r.body.building) setTimeout(() => { if (!st.running) void this.host.refreshSession(session.id, ['timeline']); }, 50);
        return renderTimeline(r.body, st.profile);
      },
      fault: async () => {
        const r = await panelRequest(session, CustomRequest.ReadFault, {});
        return r.ok ? renderFault(r.body, session.configuration.record !== false) : messageBox(r.message);
      },
      compare: async () => {
        const r = await panelRequest(session, CustomRequest.ReadCompare, {});
        return r.ok ? renderCompare(r.body) : messageBox(r.message);
      },
    };
    return { render: sources[kind], onMessage: common };
  }

  /** Debug adapter events (from the tracker). */
  onStopped(session: vscode.DebugSession): void {
    const st = this.state(session);
    st.running = false;
    if (st.screenTimer) { clearInterval(st.screenTimer); st.screenTimer = undefined; }
    void this.host.refreshSession(session.id);
  }

  onContinued(session: vscode.DebugSession): void {
    const st = this.state(session);
    st.running = true;
    // Live screen while running, throttled: only when a Screen panel is open for this session.
    if (!st.screenTimer && this.host.get(session.id, 'screen')) {
      const ms = Math.max(100, setting(Settings.ScreenRefreshMs, 500));
      st.screenTimer = setInterval(() => {
        if (!this.host.get(session.id, 'screen')) { clearInterval(st.screenTimer); st.screenTimer = undefined; return; }
        void this.host.refreshSession(session.id, ['screen']);
      }, ms);
    }
  }

  /** "Bootscope: Check VMCS Dump…": selection, whole file or clipboard → VM Entry Checks panel. */
  async checkDump(): Promise<Panel | undefined> {
    const session = this.activeSession();
    let profile: ProfileName = session ? this.state(session).profile : setting(Settings.VmcheckProfile, 'raw');
    let found: { dump: DumpText; result: VmcheckJson } | undefined;
    try {
      found = await checkFirstDump(this.extensionPath, profile, dumpCandidates());
      if (!found) return undefined; // several dumps and none picked
    } catch (e) {
      // Nothing in the editor or the clipboard: offer a file ("Open VMCS dump…").
      const open = 'Open a Dump File…';
      const pick = await vscode.window.showErrorMessage(`Bootscope: ${e instanceof Error ? e.message : String(e)}`, open);
      const uri = pick === open ? (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Check VMCS Dump' }))?.[0] : undefined;
      if (!uri) return undefined;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      try {
        found = await checkFirstDump(this.extensionPath, profile, [async () => ({ text, origin: uri.path.split('/').pop() ?? uri.path })]);
      } catch (e2) {
        void vscode.window.showErrorMessage(`Bootscope: ${e2 instanceof Error ? e2.message : String(e2)}`);
        return undefined;
      }
      if (!found) return undefined;
    }
    const { dump } = found;
    let result = found.result;
    const source: PanelSource = {
      render: async () => renderChecks(fromDump(result, dump.origin), { dumpActions: true }),
      onMessage: async (m, panel) => {
        if (m.type === 'setProfile') {
          profile = m.profile;
          [result] = await runVmcheck(this.extensionPath, dump.text, profile, result.dump?.index);
          await panel.refresh();
        } else if (m.type === 'showDumpAsVmcs') {
          await this.host.show('vmcs', 'dump', dump.origin, () => ({
            render: async () => renderVmcs({ profile, source: `guest state from ${dump.origin}`, rows: rowsFromDump(result.guest), showPicker: false }),
          }), true);
        }
      },
    };
    return this.host.show('vmEntryChecks', 'dump', dump.origin, () => source, true);
  }

  /** "Bootscope: Compare with VMCS Dump…": live VMCS beside a dump's guest state, differences marked. */
  async compareDump(): Promise<Panel | undefined> {
    const session = this.activeSession();
    if (!session) {
      void vscode.window.showErrorMessage('Bootscope: comparing needs a paused Bootscope debug session (its live VMCS is one side). To check a dump alone, use "Bootscope: Check VMCS Dump…".');
      return undefined;
    }
    const st = this.state(session);
    try {
      const found = await checkFirstDump(this.extensionPath, st.profile, dumpCandidates());
      if (!found) return undefined;
      const { dump, result } = found;
      st.compare = { label: `dump (${dump.origin})`, values: new Map(rowsFromDump(result.guest).map((r) => [r.name, r.value])) };
    } catch (e) {
      void vscode.window.showErrorMessage(`Bootscope: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    return this.host.show('vmcs', session.id, session.name, () => this.liveSource('vmcs', session));
  }

  dispose(): void {
    for (const st of this.sessions.values()) if (st.screenTimer) clearInterval(st.screenTimer);
    this.subscriptions.forEach((d) => d.dispose());
  }
}

/** bootscope/readDescriptorTables; a string says why not. */
async function readDescriptorTables(session: vscode.DebugSession): Promise<DescriptorTablesResponse | string> {
  const r = await panelRequest(session, CustomRequest.ReadDescriptorTables, {});
  return r.ok ? r.body : r.message;
}

/** VMCS rows from bootscope/readVmcs. */
async function readVmcsRows(session: vscode.DebugSession, profile: ProfileName): Promise<VmcsRow[] | string> {
  const r = await panelRequest(session, CustomRequest.ReadVmcs, { profile });
  return r.ok ? r.body.rows : r.message;
}

/** Mode, CS:IP and instruction count (bootscope/status). */
export async function readMode(session: vscode.DebugSession): Promise<StatusResponse | undefined> {
  const r = await panelRequest(session, CustomRequest.Status, {});
  return r.ok ? r.body : undefined;
}

function markChanged(rows: VmcsRow[], prev: Map<string, number | undefined> | undefined): void {
  if (!prev) return;
  for (const r of rows) if (r.changed === undefined) r.changed = prev.has(r.name) && prev.get(r.name) !== r.value;
}

/** VS Code's memory inspector at a linear address (the adapter's memoryReference is the linear address). */
async function openMemory(session: vscode.DebugSession, address: number): Promise<void> {
  const ref = `0x${address.toString(16)}`;
  const uri = vscode.Uri.from({ scheme: 'vscode-debug-memory', authority: session.id, path: `/${encodeURIComponent(ref)}`, query: `?range=${address}:${address + 0x100}` });
  try {
    await vscode.commands.executeCommand('vscode.openWith', uri, 'hexEditor.hexedit');
  } catch {
    void vscode.window.showInformationMessage(`Linear address ${ref}: install the Hex Editor extension to inspect memory there.`);
  }
}
