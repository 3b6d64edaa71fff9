// Status-bar item for a paused Bootscope session: CPU mode (real / pm16 / pm32 / vm86 / unreal), CS:IP and the
// instruction count, from bootscope/status or the adapter's `info mode`; else the top stack frame's name.
// Imports 'vscode' and protocol/ only.
import * as vscode from 'vscode';
import { Commands } from './contributions';
import { readMode } from './panels';
import { hexDigits } from '../protocol/format';


export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('bootscope.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Bootscope';
    this.item.command = Commands.ShowDescriptorTables;
  }

  /** The text now shown (tests read it). */
  get text(): string {
    return this.item.text;
  }

  async paused(session: vscode.DebugSession, threadId?: number): Promise<void> {
    const s = await readMode(session);
    if (s) {
      const ip = s.eip > 0xffff ? hexDigits(s.eip, 8) : hexDigits(s.eip, 4);
      const count = s.instructions === undefined ? '' : ` #${s.instructions.toLocaleString('en-US')}`;
      this.item.text = `$(debug-pause) ${s.mode} ${hexDigits(s.cs, 4)}:${ip}${count}`;
      this.item.tooltip = `Bootscope: ${s.mode} mode, CS:IP ${hexDigits(s.cs, 4)}:${ip}${s.instructions === undefined ? ' in QEMU' : `, ${s.instructions} instructions since 0000:7C00`}. Click for the descriptor tables.`;
    } else {
      // Without bootscope/status, the top frame's name still locates the stop.
      let where = 'paused';
      try {
        const st = (await session.customRequest('stackTrace', { threadId: threadId ?? 1, startFrame: 0, levels: 1 })) as { stackFrames?: { name: string; instructionPointerReference?: string }[] };
        const f = st.stackFrames?.[0];
        if (f) where = f.instructionPointerReference ? `${f.name} @ ${f.instructionPointerReference}` : f.name;
      } catch { /* the adapter may be gone already */ }
      this.item.text = `$(debug-pause) ${where}`;
      this.item.tooltip = 'Bootscope: paused (the adapter reported neither bootscope/status nor `info mode`).';
    }
    this.item.show();
  }

  running(): void {
    this.item.text = '$(debug-start) running';
    this.item.tooltip = 'Bootscope: the guest is running';
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
