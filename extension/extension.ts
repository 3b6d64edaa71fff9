// Bootscope's VS Code extension entry: registers the debug adapter factory (separate process by default), the
// configuration provider (F5 on an image or .asm), a tracker that refreshes panels and the status bar on `stopped`
// (and reopens a frame's disassembly document VS Code could not open yet, reopenSource.ts),
// and the panel and VMCS-dump commands of docs/CLI.md. Imports 'vscode' and protocol/ only (STYLE D2).
import * as vscode from 'vscode';
import { DIVERGED_FROM_QEMU } from '../protocol/customRequests';
import type { FromWebview } from '../protocol/webview';
import { AdapterFactory } from './adapterFactory';
import { registerConfigProvider } from './configProvider';
import { SourceReopener, type StackTraceBody } from './reopenSource';
import { Commands, DEBUG_TYPE, registerCommand } from './contributions';
import { Panels } from './panels';
import { StatusBar } from './statusBar';
import { WebviewHost } from './webviewHost';

const RUN_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto']);

/** What activate() returns: read by the extension tests (test/e2e/suite). */
export interface BootscopeApi {
  panels(): { kind: string; key: string; title: string; html: string; column: number | undefined }[];
  statusText(): string;
  /** Posts a message to a panel as its webview would (a click), for the extension tests. */
  postToPanel(key: string, msg: FromWebview): Promise<void>;
  adapterPath: string;
}

export function activate(context: vscode.ExtensionContext): BootscopeApi {
  const factory = new AdapterFactory(context.extensionPath);
  const host = new WebviewHost(context.extensionUri);
  const panels = new Panels(host, context.extensionPath);
  const status = new StatusBar();
  const reopener = new SourceReopener();

  context.subscriptions.push(
    host, panels, status, factory, reopener,
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, factory),
    ...registerConfigProvider(),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: (session) => ({
        // Adapters need not send `continued` after a continue/step request: the request itself means running.
        onWillReceiveMessage: (m: { type?: string; command?: string }) => {
          if (m.type === 'request' && m.command && RUN_REQUESTS.has(m.command)) {
            status.running();
            panels.onContinued(session);
          }
        },
        onDidSendMessage: (m: { type?: string; event?: string; command?: string; body?: { threadId?: number; reason?: string } & StackTraceBody }) => {
          if (m.type === 'response' && m.command === 'stackTrace') reopener.onStackTrace(session, m.body);
          if (m.type !== 'event') return;
          if (m.event === 'stopped') {
            void status.paused(session, m.body?.threadId);
            panels.onStopped(session);
            // A lock-step run's divergence (launch compareWith) opens the Compare panel.
            if (m.body?.reason === DIVERGED_FROM_QEMU) afterStopEditor(() => panels.showLive('compare'));
            reopener.onStopped(session);
          } else if (m.event === 'continued') {
            status.running();
            panels.onContinued(session);
          } else if (m.event === 'invalidated') {
            panels.onStopped(session);
          }
        },
      }),
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      reopener.onTerminated(s);
      if (s.type === DEBUG_TYPE && !vscode.debug.activeDebugSession) status.hide();
    }),
    registerCommand(Commands.ShowDescriptorTables, async () => { await panels.showLive('descriptorTables'); }),
    registerCommand(Commands.ShowVmcs, async () => { await panels.showLive('vmcs'); }),
    registerCommand(Commands.ShowVmEntryChecks, async () => { await panels.showLive('vmEntryChecks'); }),
    registerCommand(Commands.ShowScreen, async () => { await panels.showLive('screen'); }),
    registerCommand(Commands.ShowTimeline, async () => { await panels.showLive('timeline'); }),
    registerCommand(Commands.ShowFault, async () => { await panels.showLive('fault'); }),
    registerCommand(Commands.CheckVmcsDump, async () => { await panels.checkDump(); }),
    registerCommand(Commands.CompareVmcsDump, async () => { await panels.compareDump(); }),
    registerCommand(Commands.ShowCompare, async () => { await panels.showLive('compare'); }),
  );

  return { panels: () => host.list(), statusText: () => status.text, postToPanel: (key, msg) => host.post(key, msg), adapterPath: factory.adapterPath };
}

/** How long a panel waits for VS Code to open the stop's editor before it opens anyway. */
const STOP_EDITOR_MS = 2000;

/**
 * Runs `show` once VS Code has opened the editor of the stop's frame (or after STOP_EDITOR_MS, when
 * that editor was open already): a panel created first makes its new group the active one, where VS
 * Code then opens the frame's source, over the panel. An editor VS Code opens within STOP_EDITOR_MS
 * after that (the stop's source opened again, or reopenSource.ts) runs `show` again, which brings
 * the panel back to the front of its group.
 */
function afterStopEditor(show: () => unknown): void {
  let shown = false;
  const go = () => {
    void show();
    if (shown) return;
    shown = true;
    clearTimeout(wait);
    setTimeout(() => sub.dispose(), STOP_EDITOR_MS);
  };
  const sub = vscode.window.onDidChangeActiveTextEditor((editor) => editor && go());
  const wait = setTimeout(go, STOP_EDITOR_MS);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
