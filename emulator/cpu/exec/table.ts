// What the handler families of exec/ export for the dispatch array that cpu/dispatch.ts derives
// from the opcode table (emulator/decode): handlers by row name, and model patches.
// Dispatch index = opcode (0x000-0x0FF one-byte map, 0x100-0x1FF the 0F map) | 0x200 for a
// 32-bit operand size. Pure TypeScript: no Node or VS Code imports.

import type { Handler } from '../cpu';
import { UD_OPCODE } from '../faultRules';

export const OP32 = 0x200;
export const MAP0F = 0x100;

/** One handler for both operand sizes, or [16-bit, 32-bit] where the row's operands have size v/z. */
export type SizedHandler = Handler | readonly [Handler, Handler];

/** The handlers of a '+r' row (SDM "+rw/+rd"): one per register, the opcode's low three bits. */
export interface ByRegister {
  readonly byReg: readonly SizedHandler[];
}

export type HandlerEntry = SizedHandler | ByRegister;

/**
 * Handlers by the name a table row gives (`OpRow.handler`, SDM operand notation). The interpreter
 * dispatches on the opcode byte, so the rows of a group (80 /0 … /7) name one shared handler that
 * reads ModRM.reg itself: the same entry under each row's name.
 */
export type Handlers = Readonly<Record<string, HandlerEntry>>;

/** A model difference: the entry the rows bind to on the 80386 → what runs on that model instead. */
export type Patch = readonly (readonly [HandlerEntry, HandlerEntry])[];

export function byRegister(make: (r: number) => SizedHandler): ByRegister {
  return { byReg: Array.from({ length: 8 }, (_, r) => make(r)) };
}

/** Gives every name the same entry (the forms of one group, or aliases). */
export function forms(names: readonly string[], entry: HandlerEntry): Handlers {
  return Object.fromEntries(names.map((n) => [n, entry]));
}

/** Rows this core decodes but does not execute run this: #UD, as a CPU without the feature. */
export const undefinedOpcode: Handler = (cpu) => cpu.faultRule(UD_OPCODE, -1, -1, 0);
