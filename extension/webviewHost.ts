// Per-session webview panels: one panel per (debug session, kind), created on demand, refreshed on `stopped`,
// disposed when the session ends; plus session-less panels for pasted VMCS dumps. Each panel renders its body
// through a PanelSource and posts nothing but typed messages (protocol/webview.ts FromWebview). Imports 'vscode'.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { FromWebview } from '../protocol/webview';
import { ELEMENTS_BUNDLE, type Html, messageBox, page } from './views/html';

export type PanelKind = 'descriptorTables' | 'vmcs' | 'vmEntryChecks' | 'screen' | 'timeline' | 'fault' | 'compare';

/** The top-level heading of each panel, as docs/CLI.md names them. */
export const PANEL_TITLES: Record<PanelKind, string> = {
  descriptorTables: 'Descriptor Tables',
  vmcs: 'VMCS',
  vmEntryChecks: 'VM Entry Checks',
  screen: 'Screen',
  timeline: 'Timeline',
  fault: 'Why Did It Fault?',
  compare: 'Compare',
};

/** What fills a panel: renders its body (Html: every value escaped) and reacts to the webview's messages. */
export interface PanelSource {
  render(): Promise<Html>;
  onMessage?(msg: FromWebview, panel: Panel): Promise<void> | void;
}

export class Panel implements vscode.Disposable {
  readonly webview: vscode.WebviewPanel;
  private disposed = false;
  private rendering: Promise<void> = Promise.resolve();
  /** The last HTML set, for tests. */
  html = '';

  constructor(readonly kind: PanelKind, readonly key: string, public source: PanelSource, label: string | undefined, private readonly distUri: vscode.Uri, column: vscode.ViewColumn, onDispose: () => void) {
    const title = label ? `${PANEL_TITLES[kind]} — ${label}` : PANEL_TITLES[kind];
    this.webview = vscode.window.createWebviewPanel(`bootscope.${kind}`, title, { viewColumn: column, preserveFocus: kind !== 'screen' }, {
      enableScripts: true,
      // Only dist/, for the @vscode-elements bundle the build copies there.
      localResourceRoots: [distUri],
      retainContextWhenHidden: false,
    });
    this.webview.onDidDispose(() => { this.disposed = true; onDispose(); });
    this.webview.webview.onDidReceiveMessage((m: FromWebview) => this.handle(m));
  }

  /** What a click in the webview does (the extension's test API posts here as the webview would). */
  async handle(m: FromWebview): Promise<void> {
    try {
      if (m.type === 'refresh') await this.refresh();
      else await this.source.onMessage?.(m, this);
    } catch (e) {
      void vscode.window.showErrorMessage(`Bootscope ${PANEL_TITLES[this.kind]}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Re-renders; concurrent refreshes are serialised so a late answer never overwrites a newer one. */
  refresh(): Promise<void> {
    this.rendering = this.rendering.then(async () => {
      if (this.disposed) return;
      // A first answer can take a while (a long recording's timeline): the panel says so instead of staying blank.
      if (this.html === '') this.show(messageBox('Reading the state from the debug session…'));
      let body: Html;
      try {
        body = await this.source.render();
      } catch (e) {
        body = messageBox(`Could not show this panel: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (this.disposed) return;
      this.show(body);
    });
    return this.rendering;
  }

  private show(body: Html): void {
    const wv = this.webview.webview;
    this.html = page({
      title: PANEL_TITLES[this.kind], body, nonce: randomBytes(16).toString('base64'), cspSource: wv.cspSource,
      elementsScript: wv.asWebviewUri(vscode.Uri.joinPath(this.distUri, ELEMENTS_BUNDLE)).toString(),
    });
    wv.html = this.html;
  }

  reveal(): void {
    this.webview.reveal(undefined, this.kind !== 'screen');
  }

  dispose(): void {
    if (!this.disposed) this.webview.dispose();
  }
}

export class WebviewHost implements vscode.Disposable {
  private readonly panels = new Map<string, Panel>();
  private readonly subscriptions: vscode.Disposable[] = [];

  /** `extensionUri`: where dist/ (with the @vscode-elements bundle) lives. */
  constructor(private readonly extensionUri: vscode.Uri) {
    this.subscriptions.push(vscode.debug.onDidTerminateDebugSession((s) => this.disposeSession(s.id)));
  }

  /** Shows (creating if needed) the panel of `kind` for `owner` (a session id, or "dump"). */
  async show(kind: PanelKind, owner: string, label: string | undefined, makeSource: () => PanelSource, replaceSource = false): Promise<Panel> {
    const key = `${owner}/${kind}`;
    let panel = this.panels.get(key);
    if (panel && replaceSource) panel.source = makeSource();
    if (!panel) {
      panel = new Panel(kind, key, makeSource(), label, vscode.Uri.joinPath(this.extensionUri, 'dist'), this.column(), () => this.panels.delete(key));
      this.panels.set(key, panel);
    } else {
      panel.reveal();
    }
    await panel.refresh();
    return panel;
  }

  /**
   * Where a new panel opens: as a tab in the group of the panels already open, else beside the code (a new
   * panel opened Beside a focused panel would start yet another column).
   */
  private column(): vscode.ViewColumn {
    for (const p of this.panels.values()) if (p.webview.viewColumn !== undefined) return p.webview.viewColumn;
    return vscode.ViewColumn.Beside;
  }

  get(owner: string, kind: PanelKind): Panel | undefined {
    return this.panels.get(`${owner}/${kind}`);
  }

  /** Refreshes the session's panels (after `stopped`), or only some kinds. */
  async refreshSession(sessionId: string, kinds?: PanelKind[]): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const p of this.panels.values()) if (p.key.startsWith(`${sessionId}/`) && (!kinds || kinds.includes(p.kind))) jobs.push(p.refresh());
    await Promise.all(jobs);
  }

  disposeSession(sessionId: string): void {
    for (const p of [...this.panels.values()]) if (p.key.startsWith(`${sessionId}/`)) p.dispose();
  }

  /** Every open panel (kind, title, last HTML, editor column) — the extension's test API reads this. */
  list(): { kind: PanelKind; key: string; title: string; html: string; column: vscode.ViewColumn | undefined }[] {
    return [...this.panels.values()].map((p) => ({ kind: p.kind, key: p.key, title: p.webview.title, html: p.html, column: p.webview.viewColumn }));
  }

  /** Delivers `msg` to the panel `key` as if its webview had posted it (test API). */
  async post(key: string, msg: FromWebview): Promise<void> {
    const p = this.panels.get(key);
    if (!p) throw new Error(`no panel ${key}`);
    await p.handle(msg);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.subscriptions.forEach((d) => d.dispose());
  }
}
