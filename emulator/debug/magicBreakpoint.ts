// Bochs's magic breakpoint: `xchg bx, bx` (87 DB; `xchg ebx, ebx` in 32-bit code) stops the run right
// after it, as Bochs does with `magic_break: enabled=1`, so boot code can ask for the debugger. Armed
// by wrapping XCHG's dispatch entries: an unarmed machine runs the plain handler and pays nothing.
// Pure TypeScript: no Node or VS Code imports.

import type { Cpu, Handler } from '../cpu/cpu';
import { CS } from '../cpu/regs';
import type { OpRow } from '../decode/table';
import type { Machine } from '../machine';
import { segOff } from './machineView';
import { peekModrm, watchOps } from './opWatch';

/** ModRM of `xchg bx, bx`: mod 11, reg BX, r/m BX. */
const MODRM_BX_BX = 0xdb;
/** XCHG r/m16/32, r16/32 (87 /r): the form `xchg bx, bx` assembles to. */
const isXchgEvGv = (r: OpRow) => r.mnemonic === 'xchg' && r.operands === 'Gv,Ev';
/** How a magic breakpoint's stop description starts (a debugger tells it from other hook stops by it). */
export const MAGIC_STOP = 'magic breakpoint';

export class MagicBreakpoint {
  private unwatch: (() => void) | null = null;
  private hit: string | null = null;

  constructor(private readonly machine: Machine) {}

  get armed(): boolean {
    return this.unwatch !== null;
  }

  arm(on: boolean): void {
    const cpu = this.machine.cpu;
    if (on === this.armed) return;
    if (on) {
      this.unwatch = watchOps(cpu, isXchgEvGv, (h) => this.wrap(h));
    } else {
      this.unwatch?.();
      this.unwatch = null;
    }
  }

  /** The description of the magic breakpoint that stopped the run, once. */
  takeHit(): string | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }

  private wrap(h: Handler): Handler {
    return (c: Cpu) => {
      const modrm = peekModrm(c);
      h(c);
      if (modrm === MODRM_BX_BX && this.hit === null) {
        this.hit = `${MAGIC_STOP}: xchg bx, bx at ${segOff(c.sel[CS], c.prevEip)}`;
        this.machine.requestStop();
      }
    };
  }
}
