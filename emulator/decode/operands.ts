// Operand specs (SDM Vol. 2 §A.2 notation: 'Eb', 'Gv', 'Iz', 'Jb', 'Ap', 'Ob', 'Sw', 'Cd', ...) compiled
// once per row into small descriptors, and the structured operand types the decoder produces.
// Pure TypeScript: no Node or VS Code imports. SDM Vol. 2 §A.2.1–A.2.3, §2.1.5 (ModRM/SIB tables).
import type { OpRow } from './table';

export type RegClass = 'gpr' | 'seg' | 'cr' | 'dr' | 'tr' | 'st';

/** A register: class, number in the SDM encoding (EAX=0 ... EDI=7; ES=0 ... GS=5; ST(i)), size in bytes. */
export interface RegOperand {
  readonly kind: 'reg';
  readonly cls: RegClass;
  readonly index: number;
  /** 1, 2 or 4 for general registers (index 4–7 at size 1 are AH, CH, DH, BH); 2 for segment registers. */
  readonly size: number;
}

/** A memory operand: seg:[base + index*scale + disp] with the effective address size. */
export interface MemOperand {
  readonly kind: 'mem';
  /** Access size in bytes; 0 when the instruction has no data size (LEA, INVLPG's M, FLDENV). */
  readonly size: number;
  /** Effective segment register (ES=0 ... GS=5): the override, else the default (SS for BP/ESP/EBP bases). */
  readonly seg: number;
  readonly segOverride: boolean;
  /** General register numbers, -1 for none (16-bit forms: BX=3, BP=5, SI=6, DI=7). */
  readonly base: number;
  readonly index: number;
  readonly scale: 1 | 2 | 4 | 8;
  /** Displacement as encoded, sign-extended for disp8 (as a signed number). */
  readonly disp: number;
  /** Displacement size in bytes: 0, 1, 2 or 4. */
  readonly dispSize: number;
  readonly addrSize: 16 | 32;
  /** Implicit string operand (DS:SI, ES:DI): not written in NASM syntax. */
  readonly implicit: boolean;
}

export interface ImmOperand {
  readonly kind: 'imm';
  /** The value as an unsigned number of the operand size (sign extension already applied). */
  readonly value: number;
  /** Encoded size in bytes (1, 2, 4). */
  readonly size: number;
  /** Ib sign-extended to the operand size (83 /n, 6A, 6B). */
  readonly signExtended: boolean;
  /** The constant 1 of D0/D1 (no immediate byte). */
  readonly implicit: boolean;
}

/** A relative branch: target = (address of next instruction + disp) masked to the operand size. */
export interface RelOperand {
  readonly kind: 'rel';
  readonly disp: number;
  /** Operand size in bytes (2 or 4): the target wraps at this size. */
  readonly size: number;
}

/** A direct far pointer (9A, EA): selector:offset. */
export interface FarOperand {
  readonly kind: 'far';
  readonly selector: number;
  readonly offset: number;
  readonly size: number;
}

export type Operand = RegOperand | MemOperand | ImmOperand | RelOperand | FarOperand;

/** Compiled operand spec. */
export const enum K {
  E, G, M, R, C, D, T, S, I, J, A, O, X, Y, Fixed, FixedSeg, Z, One, ST, STi, AccV,
}

export interface Spec {
  readonly k: K;
  /** 'b' 'w' 'd' 'v' 'z' 'q' 't' 'p' 's' 'a' or '' */
  readonly size: string;
  /** Fixed register number (AL/CL/DX, segment) for Fixed / FixedSeg. */
  readonly reg: number;
  /** Fixed register size in bytes; -1 on an E spec: the register form has the operand size ('Rv/Mw'). */
  readonly regSize: number;
}

const FIXED: Record<string, [number, number]> = {
  AL: [0, 1], CL: [1, 1], DX: [2, 2], AX: [0, 2],
};
const FIXED_SEG: Record<string, number> = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5 };

function compileOne(s: string): Spec {
  if (s in FIXED) return { k: K.Fixed, size: '', reg: FIXED[s][0], regSize: FIXED[s][1] };
  if (s in FIXED_SEG) return { k: K.FixedSeg, size: 'w', reg: FIXED_SEG[s], regSize: 2 };
  if (s === 'eAX') return { k: K.AccV, size: 'v', reg: 0, regSize: 0 };
  if (s === '1') return { k: K.One, size: 'b', reg: 0, regSize: 0 };
  if (s === 'Rv/Mw') return { k: K.E, size: 'w', reg: 0, regSize: -1 };  // register: operand size; memory: 16 bits
  if (s === 'ST') return { k: K.ST, size: 't', reg: 0, regSize: 10 };
  if (s === 'STi') return { k: K.STi, size: 't', reg: 0, regSize: 10 };
  const kinds: Record<string, K> = {
    E: K.E, G: K.G, M: K.M, R: K.R, C: K.C, D: K.D, T: K.T, S: K.S, I: K.I, J: K.J, A: K.A, O: K.O,
    X: K.X, Y: K.Y, Z: K.Z,
  };
  const k = kinds[s[0]];
  if (k === undefined) throw new Error(`operand spec: unknown '${s}'`);
  return { k, size: s.slice(1), reg: 0, regSize: 0 };
}

const compiled = new WeakMap<OpRow, readonly Spec[]>();

/** The compiled operand specs of a row (cached). */
export function specsOf(row: OpRow): readonly Spec[] {
  let s = compiled.get(row);
  if (!s) {
    s = row.operands ? row.operands.split(',').map(compileOne) : [];
    compiled.set(row, s);
  }
  return s;
}

/** Size in bytes of an E/M/G/Z operand letter at the given operand size. */
export function sizeOf(letter: string, opSize: number): number {
  switch (letter) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'v': case 'z': return opSize >> 3;
    case 'q': return 8;
    case 't': return 10;
    case 'p': return 2 + (opSize >> 3);
    case 's': return 6;
    case 'a': return (opSize >> 3) * 2;
    default: return 0;
  }
}
