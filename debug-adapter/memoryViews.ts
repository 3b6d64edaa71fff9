// What the client is looking at in memory: the ranges of recent readMemory requests and their bytes.
// After a stop, ranges the guest changed are reported with `memory` events so an open memory
// inspector refreshes just those. Node only; must not import vscode.

import type { Cpu } from '../emulator/cpu/cpu';
import { readLinear } from '../emulator/debug/machineView';

const MAX_VIEWS = 32;
const MAX_VIEW_BYTES = 64 * 1024;

interface View {
  linear: number;
  count: number;
  bytes: Uint8Array;
}

export class MemoryViews {
  private readonly views = new Map<string, View>();

  /** Records a range the client read (the most recent MAX_VIEWS ranges are kept). */
  note(linear: number, count: number, bytes: Uint8Array): void {
    if (count <= 0 || count > MAX_VIEW_BYTES) return;
    const key = `${linear}/${count}`;
    this.views.delete(key);
    this.views.set(key, { linear, count, bytes: bytes.slice() });
    if (this.views.size > MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
  }

  /** Ranges whose bytes differ from what the client last saw; their snapshots are refreshed. */
  changed(cpu: Cpu): { linear: number; count: number }[] {
    const out: { linear: number; count: number }[] = [];
    for (const v of this.views.values()) {
      const now = readLinear(cpu, v.linear, v.count).bytes;
      let same = true;
      for (let i = 0; i < v.count && same; i++) same = now[i] === v.bytes[i];
      if (!same) {
        v.bytes = now;
        out.push({ linear: v.linear, count: v.count });
      }
    }
    return out;
  }
}
