// Registers and memory in generated code. A memory access is the CPU accessor's checks written
// inline for an offset held in a local: a segment check, the A20 mask and one page-flag test in
// front of the RAM array; a store next to compiled code (same page) also tests that page's code
// bytes. Everything else (a fault, a watched or ROM/MMIO page, a page or segment edge, a store into
// code) is a slow hole calling the CPU's own accessor, so there is one definition of what an access
// does. The physical address is a hole (code.ts Phys): linear = physical, or under paging the TLB's
// frame when its entry grants the access (a miss or a missing permission takes the slow hole).
// Pure TypeScript: no Node or VS Code imports.

import type { Instruction } from '../../decode/decoder';
import { ATTN_CSIP, R8 } from '../cpu';
import { jmpFar } from '../exec/control';
import { eipBeyond } from '../protected/farTransfer';
import { EA16_BASE, EA16_INDEX, EA16_SEG, NO_REG } from '../modrm';
import { CR0_PE, CS, DS, EBP, EFLAGS_VM, ESP, SS } from '../regs';
import { loadSeg, reloadUnchanged } from '../segmentation';
import { PF_CODE, PF_READ_SLOW, PF_WRITE_SLOW } from '../../memory/pageFlags';
import { hex } from '../../../protocol/format';
import { type Code, js, phys, ref, segField, slow } from './code';

export const reg8 = (r: number) => `r8[${R8[r]}]`;
export const reg16 = (r: number) => `r16[${r << 1}]`;
export const reg32 = (r: number) => `r32[${r}]`;
export const regOf = (size: number, r: number) => (size === 8 ? reg8(r) : size === 16 ? reg16(r) : reg32(r));

/** The memory operand of a ModRM form as a segment number and an offset expression (SDM Vol. 2 Tables 2-1/2-2). */
export function effectiveAddress(insn: Instruction): { seg: number; off: string } {
  const m = insn.modrm!;
  const ovr = insn.prefixes.seg;
  if (insn.addrSize === 16) {
    if (m.mod === 0 && m.rm === 6) return { seg: ovr >= 0 ? ovr : DS, off: hex(insn.disp & 0xffff) };
    const terms = [reg16(EA16_BASE[m.rm])];
    if (EA16_INDEX[m.rm] !== NO_REG) terms.push(reg16(EA16_INDEX[m.rm]));
    if (insn.dispSize > 0) terms.push(String(insn.disp));
    return { seg: ovr >= 0 ? ovr : EA16_SEG[m.rm], off: `((${terms.join(' + ')}) & 0xffff)` };
  }
  let seg = DS;
  const terms: string[] = [];
  if (m.rm === 4) {
    const sib = insn.sib!;
    if (sib.index !== 4) terms.push(`(${reg32(sib.index)} << ${sib.scale})`);
    if (!(sib.base === 5 && m.mod === 0)) {
      // No index with a scale scales the base on the 80386 (modrm.ts).
      terms.push(sib.index === 4 && sib.scale !== 0 ? `(${reg32(sib.base)} << ${sib.scale})` : reg32(sib.base));
      if (sib.base === ESP || sib.base === EBP) seg = SS;
    }
  } else if (!(m.rm === 5 && m.mod === 0)) {
    terms.push(reg32(m.rm));
    if (m.rm === EBP) seg = SS;
  }
  if (insn.dispSize > 0) terms.push(String(insn.disp));
  if (terms.length === 0) terms.push('0');
  return { seg: ovr >= 0 ? ovr : seg, off: `((${terms.join(' + ')}) >>> 0)` };
}

/**
 * The segment checks of an access of `size` bits at seg:o (o >= 0) as the CPU's accessors make them: the limit
 * and the kind of access in one bound (Cpu.fastReadHi/fastWriteHi, which leave expand-down segments to the slow path).
 */
function inSegment(size: number, seg: number, o: string, write: boolean): Code {
  const hi = segField(seg, write ? 'write' : 'read');
  return size === 8 ? js`${o} > ${hi}` : size === 16 ? js`${o} >= ${hi}` : js`${o} + 3 > ${hi}`;
}

/** The value of the `size`-bit read at seg:o, as an expression (o must be a plain name). */
export function rd(size: number, seg: number, o: string): Code {
  const call = slow(js`cpu.rd${size}(${seg}, ${o})`);
  const checks = inSegment(size, seg, o, false);
  if (size === 8) {
    return js`(${checks} || (pf[${phys(seg, o, false)} >>> 12] & ${PF_READ_SLOW}) !== 0 ? ${call} : ram[$a])`;
  }
  if (size === 16) {
    return js`(${checks} || (${phys(seg, o, false)} & 0xfff) === 0xfff || (pf[$a >>> 12] & ${PF_READ_SLOW}) !== 0 ? ${call} : dv.getUint16($a, true))`;
  }
  return js`(${checks} || (${phys(seg, o, false)} & 0xfff) > 0xffc || (pf[$a >>> 12] & ${PF_READ_SLOW}) !== 0 ? ${call} : dv.getUint32($a, true))`;
}

/** The `size`-bit store of `value` at seg:o, as a statement (o must be a plain name). */
export function wr(size: number, seg: number, o: string, value: Code | string): Code {
  const n = size >> 3;
  const codeBytes = Array.from({ length: n }, (_, i) => `$c[($a & 0xfff) + ${i}]`).join(' | ');
  const inPage = size === 8 ? 'false' : `($a & 0xfff) > ${0x1000 - n}`;
  const stores = size === 8 ? 'ram[$a] = w;' : `dv.setUint${size}($a, w, true);`;
  const fast = js`${inSegment(size, seg, o, true)} || (${phys(seg, o, true)}, ${inPage}) || ((($f = pf[$a >>> 12]) & ${PF_WRITE_SLOW}) !== 0 && ($f !== ${PF_CODE} || (($c = cb[$a >>> 12]), ${codeBytes}) !== 0))`;
  return js`{ const w = ${value}; if (${fast}) ${slow(js`cpu.wr${size}(${seg}, ${o}, w)`)}; else { ${stores} } }`;
}

/**
 * The stack pointer as the stack size uses it (SS.B; blocks are made for one, blocks.ts's blockMode):
 * SP or ESP. A register is read at the width it was last written where possible: a narrower store
 * followed by a wider load of the same bytes stalls the host CPU's store forwarding.
 */
export const stackPointer = (stack32: boolean) => `const s0 = ${stack32 ? reg32(ESP) : reg16(ESP)};`;

/** Sets the stack pointer to `s` (an offset within the stack size). */
export const setStackPointer = (stack32: boolean, s: string) => `${stack32 ? reg32(ESP) : reg16(ESP)} = ${s};`;

/** PUSH of a 16- or 32-bit value, as cpu.push16/push32 do it on a stack of the given size. */
export function push(size: number, value: string, stack32: boolean): Code {
  return js`{ const v = ${value}; ${stackPointer(stack32)} const s = ((s0 - ${size >> 3}) & ${stack32 ? '0xffffffff' : '0xffff'}) >>> 0; ${wr(size, SS, 's', 'v')} ${setStackPointer(stack32, 's')} }`;
}

/** POP into `target` (an assignment target, or null to leave the value in `v`), as cpu.pop16/pop32 do it. */
export function pop(size: number, target: string | null, stack32: boolean): Code {
  return js`${stackPointer(stack32)} const s = s0; const v = ${rd(size, SS, 's')}; ${setStackPointer(stack32, `s + ${size >> 3}`)}${target ? ` ${target} = v;` : ''}`;
}

/** The E operand of a ModRM form: for memory, `pre` keeps its offset in `o` for a write back. */
export interface Operand {
  pre: string;
  value: Code;
  write: (v: Code | string) => Code;
  mem: boolean;
}

export function readE(insn: Instruction, size: number): Operand {
  const m = insn.modrm!;
  if (m.mod === 3) return { pre: '', value: [regOf(size, m.rm)], write: (v) => js`${regOf(size, m.rm)} = ${v};`, mem: false };
  const { seg, off } = effectiveAddress(insn);
  return { pre: `const o = ${off};`, value: rd(size, seg, 'o'), write: (v) => wr(size, seg, 'o', v), mem: true };
}

/**
 * Loads segment register `seg` with `v` (a name). In real mode selector and base, as loadSeg does,
 * where they differ (a reload of the same value changes nothing); in other modes a reload known to
 * change nothing is skipped (one compare, the loop case), else loadSeg. $l set: the block reads the
 * register's cache into its locals again. Real mode is tested first: the memo never holds a
 * real-mode load, so asking it there only cost real-mode loops its call.
 */
export function segLoad(seg: number, v: string): Code {
  return js`if ((cpu.cr0 & ${CR0_PE}) === 0) { if (cpu.sel[${seg}] !== ${v} || sb[${seg}] !== ${v} << 4) { $l = 1; cpu.sel[${seg}] = ${v}; sb[${seg}] = ${v} << 4; } } else if (!${ref(reloadUnchanged)}(cpu, ${seg}, ${v})) { $l = 1; ${slow(js`${ref(loadSeg)}(cpu, ${seg}, ${v})`)}; }`;
}

/**
 * JMP FAR sel:off (names or constants); a jump into the CS it is already in only checks the new EIP:
 * in real mode as control.ts's loadCsReal does when the base stays (a CS load the debugger watches
 * raises ATTN_CSIP), in protected mode as farTransfer.ts's jmpFar does after the same memo test.
 * Only jmpFar may load other segment registers or the flags (a task switch): it sets $r.
 */
export function farJump(sel: string, off: string, osize: number): Code {
  const real = `(cpu.cr0 & ${CR0_PE}) === 0 && (cpu.flags & ${EFLAGS_VM}) === 0 && ${sel} === cpu.sel[${CS}] && sb[${CS}] === ${sel} << 4 && ${off} <= cpu.limit[${CS}]`;
  const beyond = slow(js`${ref(eipBeyond)}(cpu, ${sel}, cpu.limit[${CS}], ${off})`);
  return js`if (${ref(reloadUnchanged)}(cpu, ${CS}, ${sel})) { if (${off} > cpu.limit[${CS}]) ${beyond}; cpu.eip = ${off}; } else if (${real}) { if (cpu.csWatch) cpu.attn |= ${ATTN_CSIP}; cpu.eip = ${off}; } else { ${slow(js`${ref(jmpFar)}(cpu, ${sel}, ${off}, ${osize === 32})`)}; $r = 1; }`;
}
