// How Bootscope writes numbers in hex, for every layer (emulator messages, the disassembler, the adapter, the
// CLI, the panels): one definition instead of a helper per file. Pure: no imports.

/** 0x-prefixed lower-case hex of an unsigned value (a number as 32 bits, a bigint as 64), at least `digits` digits. */
export function hex(v: number | bigint, digits = 0): string {
  const n = typeof v === 'bigint' ? BigInt.asUintN(64, v) : v >>> 0;
  return '0x' + n.toString(16).padStart(digits, '0');
}

/** Upper-case hex digits of an unsigned 32-bit value without a prefix, at least `digits`: the debugger's SSSS:OOOO. */
export function hexDigits(v: number, digits = 0): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}

/** Lower-case hex digits without a prefix, at least `digits`: how QEMU's traces and the lock-step reports write values. */
export function hexLower(v: number, digits = 0): string {
  return (v >>> 0).toString(16).padStart(digits, '0');
}
