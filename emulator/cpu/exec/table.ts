// Helpers to fill the opcode dispatch array: index = opcode (0x000-0x0FF one-byte map,
// 0x100-0x1FF the 0F map) | 0x200 when the operand size is 32 bits.
// Pure TypeScript: no Node or VS Code imports.

import type { Handler } from '../cpu';

export const OP32 = 0x200;
export const MAP0F = 0x100;

/** Sets the 16-bit and 32-bit operand-size handlers of one opcode (byte forms pass one handler). */
export function def(ops: Handler[], op: number, h16: Handler, h32: Handler = h16): void {
  ops[op] = h16;
  ops[op | OP32] = h32;
}
