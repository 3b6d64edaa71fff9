// Bochs's magic breakpoint: `xchg bx, bx` (87 DB; `xchg ebx, ebx` in 32-bit code) stops the run right
// after it, as Bochs does with `magic_break: enabled=1`, so boot code can ask for the debugger. Armed
// by wrapping XCHG's dispatch entries: an unarmed machine runs the plain handler and pays nothing.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu, Handler } from '../cpu/cpu';
import { CS } from '../cpu/regs';
import type { Machine } from '../machine';
import { segOff } from './machineView';

/** XCHG Ev,Gv in 16- and 32-bit code (dispatch index = opcode | code32 << 9). */
const XCHG_EV_GV = [0x87, 0x87 | 0x200];
/** ModRM of `xchg bx, bx`: mod 11, reg BX, r/m BX. */
const MODRM_BX_BX = 0xdb;
/** How a magic breakpoint's stop description starts (a debugger tells it from other hook stops by it). */
export const MAGIC_STOP = 'magic breakpoint';

export class MagicBreakpoint {
  private saved: Handler[] | null = null;
  private hit: string | null = null;

  constructor(private readonly machine: Machine) {}

  get armed(): boolean {
    return this.saved !== null;
  }

  arm(on: boolean): void {
    const cpu = this.machine.cpu;
    if (on === this.armed) return;
    if (on) {
      this.saved = XCHG_EV_GV.map((i) => cpu.ops[i]);
      XCHG_EV_GV.forEach((i, k) => { cpu.ops[i] = this.wrap(this.saved![k]); });
    } else {
      XCHG_EV_GV.forEach((i, k) => { cpu.ops[i] = this.saved![k]; });
      this.saved = null;
    }
    cpu.opsChanged();
  }

  /** The description of the magic breakpoint that stopped the run, once. */
  takeHit(): string | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }

  private wrap(h: Handler): Handler {
    return (c: Cpu) => {
      const at = c.eip;
      const modrm = c.fetch8();
      c.eip = at;
      h(c);
      if (modrm === MODRM_BX_BX && this.hit === null) {
        this.hit = `${MAGIC_STOP}: xchg bx, bx at ${segOff(c.sel[CS], c.prevEip)}`;
        this.machine.requestStop();
      }
    };
  }
}
