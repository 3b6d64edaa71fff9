// "Click a gate → disassembly at its target": VS Code's Disassembly view follows the focused frame and cannot be
// opened at another address, so a gate's target opens in the adapter's virtual disassembly document (the DAP source
// stack frames without a listing show: language bootscope-disassembly, gutter breakpoints stop at CS:IP), at the
// target's line. Imports 'vscode' and protocol/ only.
import * as vscode from 'vscode';
import { CustomRequest } from '../protocol/customRequests';
import { panelRequest } from './customRequests';

/** Opens the disassembly document of `session` holding selector:offset, with the cursor on that line. */
export async function openDisassembly(session: vscode.DebugSession, selector: number, offset: number): Promise<vscode.TextEditor | undefined> {
  const r = await panelRequest(session, CustomRequest.DisassemblySource, { selector, offset });
  if (!r.ok) {
    void vscode.window.showWarningMessage(r.message);
    return undefined;
  }
  // The URI VS Code gives the same source in the call stack (debugSource.ts getUriFromSource: the name as path), so
  // the document is the one a frame shows; asDebugSourceUri would leave the path empty (it reads source.path).
  const { name, sourceReference } = r.body.source;
  const uri = vscode.Uri.from({ scheme: 'debug', path: name, query: `session=${session.id}&ref=${sourceReference}` });
  const doc = await vscode.workspace.openTextDocument(uri);
  const at = new vscode.Position(r.body.line - 1, 0);
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: true, selection: new vscode.Range(at, at) });
}
