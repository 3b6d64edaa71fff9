// "Click a gate → disassembly at its target": VS Code's Disassembly view follows the focused frame and cannot be
// opened at another address, so a gate's target opens as a read-only document (scheme bootscope-disasm) filled from
// the adapter's DAP `disassemble` answer at that linear address. Imports 'vscode'.
import * as vscode from 'vscode';

export const DISASM_SCHEME = 'bootscope-disasm';

/** The part of a DAP `disassemble` response body read here (DisassembledInstruction). */
interface Disassembled {
  instructions?: { address: string; instructionBytes?: string; instruction: string; symbol?: string }[];
}
const INSTRUCTIONS = 64;

/** Serves bootscope-disasm:/<session id>/<linear hex>.nasm documents. */
export class DisassemblyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly sessions = new Map<string, vscode.DebugSession>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DISASM_SCHEME, this);
  private readonly ended = vscode.debug.onDidTerminateDebugSession((s) => this.sessions.delete(s.id));

  /** Opens the disassembly at `linear` in `session` beside the panel. */
  async open(session: vscode.DebugSession, linear: number, what: string): Promise<vscode.TextEditor> {
    this.sessions.set(session.id, session);
    const hex = (linear >>> 0).toString(16).toUpperCase().padStart(8, '0');
    const uri = vscode.Uri.from({ scheme: DISASM_SCHEME, path: `/${session.id}/${hex}.nasm`, query: new URLSearchParams({ what }).toString() });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'nasm');
    return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: true });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, id, file] = uri.path.split('/');
    const linear = parseInt(file ?? '', 16);
    const session = this.sessions.get(id ?? '');
    const what = new URLSearchParams(uri.query).get('what') ?? 'target';
    const head = `; Bootscope: ${what} — ${INSTRUCTIONS} instructions from linear 0x${(linear >>> 0).toString(16).toUpperCase()}`;
    if (!session || !Number.isFinite(linear)) return `${head}\n; the debug session has ended\n`;
    const body = (await session.customRequest('disassemble', {
      memoryReference: `0x${linear.toString(16)}`, instructionCount: INSTRUCTIONS, resolveSymbols: true,
    })) as Disassembled;
    const rows = (body?.instructions ?? []).map((i) => {
      const label = i.symbol ? `${i.symbol}:\n` : '';
      return `${label}${i.instruction.padEnd(48)} ; ${i.instructionBytes ?? ''}`.trimEnd();
    });
    return [head, `; session ${session.name}, read when opened`, '', ...rows, ''].join('\n');
  }

  dispose(): void {
    this.registration.dispose();
    this.ended.dispose();
  }
}
