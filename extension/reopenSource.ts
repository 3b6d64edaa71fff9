// VS Code registers its `debug:` content provider a few seconds after a window opens (a workbench contribution of
// the "eventually" phase). F5 right after a folder opens can stop before that: the editor VS Code opens for the top
// frame's disassembly document then shows "could not be opened" ("Unable to resolve resource debug:…") and is not
// retried. This module retries it: after a stop, a tab of this session's `debug:` document that has no document behind
// it is opened again once the provider answers, at the top frame's line. Imports 'vscode' only.
import * as vscode from 'vscode';

/** How long after a stop a failed editor is retried, and how often. */
const RETRY_FOR_MS = 60_000;
const RETRY_EVERY_MS = 500;

/** The part of a stackTrace response body this module reads. */
export interface StackTraceBody {
  stackFrames?: { line?: number; source?: { sourceReference?: number } }[];
}

interface TopFrame {
  sourceReference: number;
  line: number;
}

export class SourceReopener implements vscode.Disposable {
  /** The top frame of the last stackTrace response, per session. */
  private readonly top = new Map<string, TopFrame>();
  /** Sessions being watched, with when the watch ends (a new stop extends it). */
  private readonly until = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** A stackTrace response went to VS Code: remember where its top frame is. */
  onStackTrace(session: vscode.DebugSession, body: StackTraceBody | undefined): void {
    const f = body?.stackFrames?.[0];
    const ref = f?.source?.sourceReference;
    if (f && ref && f.line) this.top.set(session.id, { sourceReference: ref, line: f.line });
  }

  /** A stop: for a while, reopen editors of this session's documents that failed to open. */
  onStopped(session: vscode.DebugSession): void {
    const watching = this.until.has(session.id);
    this.until.set(session.id, Date.now() + RETRY_FOR_MS);
    if (watching) return;
    const tick = async () => {
      for (const f of failedTabs(session)) {
        // A failure (the tab went meanwhile) must not end the watch: the next tick looks again.
        await this.reopen(session, f).catch(() => {});
      }
      if (Date.now() < (this.until.get(session.id) ?? 0)) this.later(tick);
      else this.until.delete(session.id);
    };
    this.later(tick);
  }

  onTerminated(session: vscode.DebugSession): void {
    this.top.delete(session.id);
    this.until.delete(session.id);
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(f: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void f().catch(() => {});
    }, RETRY_EVERY_MS);
    this.timers.add(t);
  }

  private async reopen(session: vscode.DebugSession, { uri, column, tab }: FailedTab): Promise<void> {
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch {
      return; // The provider is not there yet: the next tick tries again.
    }
    const top = this.top.get(session.id);
    const line = top && new URLSearchParams(uri.query).get('ref') === String(top.sourceReference) ? top.line - 1 : 0;
    const at = new vscode.Position(Math.min(line, doc.lineCount - 1), 0);
    // The failed editor stays an error page whatever is shown under its input: it goes, and the document opens anew.
    await vscode.window.tabGroups.close(tab, true);
    await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: true, preview: true, selection: new vscode.Range(at, at) });
  }
}

interface FailedTab {
  uri: vscode.Uri;
  column: vscode.ViewColumn;
  tab: vscode.Tab;
}

/** Tabs showing a `debug:` document of `session` that VS Code could not load (no document behind the tab). */
function failedTabs(session: vscode.DebugSession): FailedTab[] {
  const loaded = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  const out: FailedTab[] = [];
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const input = tab.input as { uri?: vscode.Uri } | undefined;
      if (!(input?.uri instanceof vscode.Uri) || input.uri.scheme !== 'debug') continue;
      if (new URLSearchParams(input.uri.query).get('session') !== session.id || loaded.has(input.uri.toString())) continue;
      out.push({ uri: input.uri, column: group.viewColumn, tab });
    }
  }
  return out;
}
