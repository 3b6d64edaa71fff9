// The declarative opcode table: one row per opcode form of the one-byte map (SDM Vol. 2 Appendix A,
// Table A-2 and the group table A-6), with the row types shared by table0f.ts and tableX87.ts.
// Pure data: no Node or VS Code imports. The interpreter's dispatch is derived from the rows by
// `handler` (SDM operand notation, as in Bochs; emulator/cpu/dispatch.ts); the decoder and the
// disassembler read the same rows.

import { CPU_MODEL_NAMES, type CpuModelName } from '../../protocol/launchConfig';
import { flagsOf } from './eflags';
import { sysWritesOf } from './sysWrites';

/**
 * Decode tiers in ascending order; a row is available from its tier on. The tiers are the CPU
 * models, then 'later': instructions of later CPUs (VMX, MONITOR, XGETBV, RDTSCP, FISTTP) that the
 * default 80386 core decodes beside the 486, Pentium and Pentium II ones.
 */
export type DecodeTier = CpuModelName | 'later';
export const DECODE_TIERS: readonly DecodeTier[] = [...CPU_MODEL_NAMES, 'later'];
/**
 * The rows each CPU model decodes (and so executes: dispatch.ts derives its entries from them). The
 * `80386` model is the default core of every earlier release: a 386 plus the later integer
 * instructions boot code uses; the `80486`, `pentium` and `pentium2` models decode what those CPUs have.
 */
const MODEL_DECODES: Readonly<Record<CpuModelName, DecodeTier>> = {
  '8086': '8086', '80286': '80286', '80386': 'later', '80486': '80486', pentium: 'pentium', pentium2: 'pentium2',
};

export function decodeTier(model: CpuModelName): DecodeTier {
  return MODEL_DECODES[model];
}

export function tierRank(m: DecodeTier): number {
  return DECODE_TIERS.indexOf(m);
}

/**
 * Row tags (the `tags` column, space-separated):
 * - `sx`    the Ib immediate is sign-extended to the operand size (83, 6A, 6B)
 * - `o`     the mnemonic is `m16|m32`, chosen by operand size (pushf|pushfd)
 * - `a`     the mnemonic is `m16|m32`, chosen by address size (jcxz|jecxz)
 * - `rep`   accepts REP (string instructions); `repe` accepts REPE/REPNE (CMPS, SCAS)
 * - `call`, `jmp`, `jcc`, `ret`, `int`: control transfer kinds, for "step over" and flow views
 * - `short` the disassembler prints `short` before the target (EB); `near` likewise (0F 8x)
 * - `far`   far form (FF /3, FF /5): printed `far`
 * - `sz`    always print the memory operand's size keyword; `nosz` never print it
 * - `x87`   x87 escape (D8–DF) form
 * - `8086`  quirk row used only when decoding for the 8086 model
 * - `prefix` a prefix byte (26, 2E, 36, 3E, 64–67, F0, F2, F3): never a row of its own at decode time
 * - `lock`  LOCK may prefix the memory form (SDM Vol. 2 LOCK); on any other form or a register operand: #UD
 * - `p66`, `pF3` the form needs that prefix (a mandatory prefix: 66 0F C7 /6 VMCLEAR, F3 90 PAUSE); the
 *   prefix is then part of the opcode, not an operand-size or REP prefix
 */
export type Tag =
  | 'sx' | 'o' | 'a' | 'rep' | 'repe' | 'call' | 'jmp' | 'jcc' | 'ret' | 'int' | 'short' | 'near'
  | 'far' | 'sz' | 'nosz' | 'x87' | '8086' | 'prefix' | 'wait' | 'p66' | 'pF3' | 'lock';

export const T_SX = 1 << 0;
export const T_OSIZE_MNEM = 1 << 1;
export const T_ASIZE_MNEM = 1 << 2;
export const T_REP = 1 << 3;
export const T_REPE = 1 << 4;
export const T_CALL = 1 << 5;
export const T_JMP = 1 << 6;
export const T_JCC = 1 << 7;
export const T_RET = 1 << 8;
export const T_INT = 1 << 9;
export const T_SHORT = 1 << 10;
export const T_NEAR = 1 << 11;
export const T_FAR = 1 << 12;
export const T_SZ = 1 << 13;
export const T_NOSZ = 1 << 14;
export const T_X87 = 1 << 15;
export const T_8086 = 1 << 16;
export const T_PREFIX = 1 << 17;
export const T_WAIT = 1 << 18;
export const T_P66 = 1 << 19;
export const T_PF3 = 1 << 20;
export const T_LOCK = 1 << 21;

const TAG_BITS: Record<Tag, number> = {
  sx: T_SX, o: T_OSIZE_MNEM, a: T_ASIZE_MNEM, rep: T_REP, repe: T_REPE, call: T_CALL, jmp: T_JMP,
  jcc: T_JCC, ret: T_RET, int: T_INT, short: T_SHORT, near: T_NEAR, far: T_FAR, sz: T_SZ, nosz: T_NOSZ,
  x87: T_X87, '8086': T_8086, prefix: T_PREFIX, wait: T_WAIT, p66: T_P66, pF3: T_PF3, lock: T_LOCK,
};

/**
 * One opcode form. `opcode` is the byte for the one-byte map, 0x0F00|byte for the two-byte map.
 * `sel` selects within a group by ModRM: '' (no selection), '/n' (ModRM.reg = n), '/nm' (and memory
 * operand), '/nr' (and register operand), '/n=k' (mod = 11b, ModRM.rm = k), '/m' (any reg, memory only),
 * '+r' (eight opcodes, the register in the low three bits: SDM's "40+rd").
 * x87 register forms use the full ModRM byte: '=C0'..'=FF' or a range 'C0-C7'.
 */
export interface OpRow {
  readonly opcode: number;
  readonly sel: string;
  readonly mnemonic: string;
  /** Operands in SDM notation (Vol. 2 §A.2): 'Eb,Gb', 'Ev,Iz', 'AL,Ib', 'Sw,Ew', 'Jb', 'Ap', 'M' ... */
  readonly operands: string;
  /** Handler name in SDM operand notation, as emulator/cpu/exec exports it ('add_Eb_Gb'). */
  readonly handler: string;
  readonly model: DecodeTier;
  readonly tags: number;
  /** Parsed `sel`: -1 = any. */
  readonly reg: number;
  readonly mod: 'any' | 'mem' | 'reg';
  readonly rm: number;
  /** For x87 register forms: ModRM range [lo, hi] (inclusive), else -1. */
  readonly modrmLo: number;
  readonly modrmHi: number;
  /** Does the form have a ModRM byte. */
  readonly hasModrm: boolean;
  /** Number of consecutive opcodes the row covers: 8 for '+r' forms, else 1. */
  readonly count: number;
  /** Whether ModRM addresses memory (an E or M operand; not the R forms of 0F 20–26). */
  readonly addressing: boolean;
  /**
   * Immediate fields after ModRM/SIB/displacement, in order, as byte counts: 1, 2, or IMM_OSIZE
   * (operand size), IMM_ASIZE (address size: moffs), IMM_FAR (operand size + 2: far pointer).
   */
  readonly immPlan: readonly number[];
  /** EFLAGS bits the form may read, and may change when it completes (eflags.ts). */
  readonly flagsRead: number;
  readonly flagsWritten: number;
  /** System state (SYS_* of sysWrites.ts: segment, control, debug, table registers ...) it may change. */
  readonly sysWritten: number;
}

/** One table line: opcode, sel, mnemonic, operands, handler, model, tags. */
export type RowDef = readonly [number, string, string, string, string, DecodeTier, string?];

/** Operand specs that read a ModRM byte. */
const MODRM_SPEC = /^(?:[EGMRSCDT][a-z]*|Rv\/Mw|STi)$/;

export const IMM_OSIZE = -1;
export const IMM_ASIZE = -2;
export const IMM_FAR = -3;
const IMM_PLAN: Record<string, number> = {
  Ib: 1, Iw: 2, Iz: IMM_OSIZE, Iv: IMM_OSIZE, Jb: 1, Jz: IMM_OSIZE, Ap: IMM_FAR, Ob: IMM_ASIZE, Ov: IMM_ASIZE,
};

export function makeRow(d: RowDef): OpRow {
  const [opcode, sel, mnemonic, operands, handler, model, tagText = ''] = d;
  let tags = 0;
  for (const t of tagText.split(' ')) if (t) tags |= TAG_BITS[t as Tag] ?? fail(`unknown tag ${t}`);
  let reg = -1, rm = -1, modrmLo = -1, modrmHi = -1;
  let mod: OpRow['mod'] = 'any';
  let m: RegExpMatchArray | null;
  if ((m = /^\/([0-7]?)([mr]?)(?:=([0-7]))?$/.exec(sel)) && sel.length > 1) {
    reg = m[1] === '' ? -1 : +m[1];
    if (m[2] === 'm') mod = 'mem';
    if (m[2] === 'r') mod = 'reg';
    if (m[3] !== undefined) {
      mod = 'reg';
      rm = +m[3];
    }
  } else if ((m = /^=([0-9A-F]{2})(?:-([0-9A-F]{2}))?$/.exec(sel))) {
    modrmLo = parseInt(m[1], 16);
    modrmHi = m[2] ? parseInt(m[2], 16) : modrmLo;
    mod = 'reg';
  } else if (sel !== '' && sel !== '+r') {
    fail(`bad sel '${sel}' for ${mnemonic}`);
  }
  const hasModrm = (sel !== '' && sel !== '+r') || operands.split(',').some((o) => MODRM_SPEC.test(o));
  const count = sel === '+r' ? 8 : 1;
  const specs = operands ? operands.split(',') : [];
  const addressing = specs.some((o) => /^[EM][a-z]*$|^Rv\/Mw$/.test(o));
  const immPlan = specs.flatMap((o) => (o in IMM_PLAN ? [IMM_PLAN[o]] : []));
  const flags = flagsOf(mnemonic, handler);
  return {
    opcode, sel, mnemonic, operands, handler, model, tags, reg, mod, rm, modrmLo, modrmHi, hasModrm, count, addressing, immPlan,
    flagsRead: flags.read, flagsWritten: flags.written, sysWritten: sysWritesOf(handler),
  };
}

function fail(msg: string): never {
  throw new Error(`opcode table: ${msg}`);
}

/** The one-byte map, SDM Vol. 2 Table A-2 and the groups of Table A-6 (80–83, 8F, C0/C1, C6/C7, D0–D3, F6/F7, FE/FF). */
// prettier-ignore
const ONE_BYTE: RowDef[] = [
  // opcode sel      mnemonic           operands     handler            model     tags
  [0x00,   '',      'add',             'Eb,Gb',     'add_Eb_Gb',       '8086',   'lock'],
  [0x01,   '',      'add',             'Ev,Gv',     'add_Ev_Gv',       '8086',   'lock'],
  [0x02,   '',      'add',             'Gb,Eb',     'add_Gb_Eb',       '8086'],
  [0x03,   '',      'add',             'Gv,Ev',     'add_Gv_Ev',       '8086'],
  [0x04,   '',      'add',             'AL,Ib',     'add_AL_Ib',       '8086'],
  [0x05,   '',      'add',             'eAX,Iz',    'add_eAX_Iz',      '8086'],
  [0x06,   '',      'push',            'ES',        'push_ES',         '8086'],
  [0x07,   '',      'pop',             'ES',        'pop_ES',          '8086'],
  [0x08,   '',      'or',              'Eb,Gb',     'or_Eb_Gb',        '8086',   'lock'],
  [0x09,   '',      'or',              'Ev,Gv',     'or_Ev_Gv',        '8086',   'lock'],
  [0x0a,   '',      'or',              'Gb,Eb',     'or_Gb_Eb',        '8086'],
  [0x0b,   '',      'or',              'Gv,Ev',     'or_Gv_Ev',        '8086'],
  [0x0c,   '',      'or',              'AL,Ib',     'or_AL_Ib',        '8086'],
  [0x0d,   '',      'or',              'eAX,Iz',    'or_eAX_Iz',       '8086'],
  [0x0e,   '',      'push',            'CS',        'push_CS',         '8086'],
  [0x10,   '',      'adc',             'Eb,Gb',     'adc_Eb_Gb',       '8086',   'lock'],
  [0x11,   '',      'adc',             'Ev,Gv',     'adc_Ev_Gv',       '8086',   'lock'],
  [0x12,   '',      'adc',             'Gb,Eb',     'adc_Gb_Eb',       '8086'],
  [0x13,   '',      'adc',             'Gv,Ev',     'adc_Gv_Ev',       '8086'],
  [0x14,   '',      'adc',             'AL,Ib',     'adc_AL_Ib',       '8086'],
  [0x15,   '',      'adc',             'eAX,Iz',    'adc_eAX_Iz',      '8086'],
  [0x16,   '',      'push',            'SS',        'push_SS',         '8086'],
  [0x17,   '',      'pop',             'SS',        'pop_SS',          '8086'],
  [0x18,   '',      'sbb',             'Eb,Gb',     'sbb_Eb_Gb',       '8086',   'lock'],
  [0x19,   '',      'sbb',             'Ev,Gv',     'sbb_Ev_Gv',       '8086',   'lock'],
  [0x1a,   '',      'sbb',             'Gb,Eb',     'sbb_Gb_Eb',       '8086'],
  [0x1b,   '',      'sbb',             'Gv,Ev',     'sbb_Gv_Ev',       '8086'],
  [0x1c,   '',      'sbb',             'AL,Ib',     'sbb_AL_Ib',       '8086'],
  [0x1d,   '',      'sbb',             'eAX,Iz',    'sbb_eAX_Iz',      '8086'],
  [0x1e,   '',      'push',            'DS',        'push_DS',         '8086'],
  [0x1f,   '',      'pop',             'DS',        'pop_DS',          '8086'],
  [0x20,   '',      'and',             'Eb,Gb',     'and_Eb_Gb',       '8086',   'lock'],
  [0x21,   '',      'and',             'Ev,Gv',     'and_Ev_Gv',       '8086',   'lock'],
  [0x22,   '',      'and',             'Gb,Eb',     'and_Gb_Eb',       '8086'],
  [0x23,   '',      'and',             'Gv,Ev',     'and_Gv_Ev',       '8086'],
  [0x24,   '',      'and',             'AL,Ib',     'and_AL_Ib',       '8086'],
  [0x25,   '',      'and',             'eAX,Iz',    'and_eAX_Iz',      '8086'],
  [0x26,   '',      'es',              '',          'prefix_ES',       '8086',   'prefix'],
  [0x27,   '',      'daa',             '',          'daa',             '8086'],
  [0x28,   '',      'sub',             'Eb,Gb',     'sub_Eb_Gb',       '8086',   'lock'],
  [0x29,   '',      'sub',             'Ev,Gv',     'sub_Ev_Gv',       '8086',   'lock'],
  [0x2a,   '',      'sub',             'Gb,Eb',     'sub_Gb_Eb',       '8086'],
  [0x2b,   '',      'sub',             'Gv,Ev',     'sub_Gv_Ev',       '8086'],
  [0x2c,   '',      'sub',             'AL,Ib',     'sub_AL_Ib',       '8086'],
  [0x2d,   '',      'sub',             'eAX,Iz',    'sub_eAX_Iz',      '8086'],
  [0x2e,   '',      'cs',              '',          'prefix_CS',       '8086',   'prefix'],
  [0x2f,   '',      'das',             '',          'das',             '8086'],
  [0x30,   '',      'xor',             'Eb,Gb',     'xor_Eb_Gb',       '8086',   'lock'],
  [0x31,   '',      'xor',             'Ev,Gv',     'xor_Ev_Gv',       '8086',   'lock'],
  [0x32,   '',      'xor',             'Gb,Eb',     'xor_Gb_Eb',       '8086'],
  [0x33,   '',      'xor',             'Gv,Ev',     'xor_Gv_Ev',       '8086'],
  [0x34,   '',      'xor',             'AL,Ib',     'xor_AL_Ib',       '8086'],
  [0x35,   '',      'xor',             'eAX,Iz',    'xor_eAX_Iz',      '8086'],
  [0x36,   '',      'ss',              '',          'prefix_SS',       '8086',   'prefix'],
  [0x37,   '',      'aaa',             '',          'aaa',             '8086'],
  [0x38,   '',      'cmp',             'Eb,Gb',     'cmp_Eb_Gb',       '8086'],
  [0x39,   '',      'cmp',             'Ev,Gv',     'cmp_Ev_Gv',       '8086'],
  [0x3a,   '',      'cmp',             'Gb,Eb',     'cmp_Gb_Eb',       '8086'],
  [0x3b,   '',      'cmp',             'Gv,Ev',     'cmp_Gv_Ev',       '8086'],
  [0x3c,   '',      'cmp',             'AL,Ib',     'cmp_AL_Ib',       '8086'],
  [0x3d,   '',      'cmp',             'eAX,Iz',    'cmp_eAX_Iz',      '8086'],
  [0x3e,   '',      'ds',              '',          'prefix_DS',       '8086',   'prefix'],
  [0x3f,   '',      'aas',             '',          'aas',             '8086'],
  [0x40,   '+r',    'inc',             'Zv',        'inc_Zv',          '8086'],
  [0x48,   '+r',    'dec',             'Zv',        'dec_Zv',          '8086'],
  [0x50,   '+r',    'push',            'Zv',        'push_Zv',         '8086'],
  [0x58,   '+r',    'pop',             'Zv',        'pop_Zv',          '8086'],
  [0x60,   '',      'pusha|pushad',    '',          'pusha',           '80286',  'o'],               // 8086: alias of 70 (JO)
  [0x61,   '',      'popa|popad',      '',          'popa',            '80286',  'o'],               // 8086: alias of 71
  [0x62,   '/m',    'bound',           'Gv,Ma',     'bound_Gv_Ma',     '80286'],                     // mod=11b: #UD
  [0x63,   '',      'arpl',            'Ew,Gw',     'arpl_Ew_Gw',      '80286'],                     // real mode/vm86: #UD
  [0x64,   '',      'fs',              '',          'prefix_FS',       '80386',  'prefix'],
  [0x65,   '',      'gs',              '',          'prefix_GS',       '80386',  'prefix'],
  [0x66,   '',      'o32',             '',          'prefix_OS',       '80386',  'prefix'],
  [0x67,   '',      'a32',             '',          'prefix_AS',       '80386',  'prefix'],
  [0x68,   '',      'push',            'Iz',        'push_Iz',         '80286'],
  [0x69,   '',      'imul',            'Gv,Ev,Iz',  'imul_Gv_Ev_Iz',   '80286'],
  [0x6a,   '',      'push',            'Ib',        'push_Ib',         '80286',  'sx'],
  [0x6b,   '',      'imul',            'Gv,Ev,Ib',  'imul_Gv_Ev_Ib',   '80286',  'sx'],
  [0x6c,   '',      'insb',            'Yb,DX',     'insb_Yb_DX',      '80286',  'rep'],
  [0x6d,   '',      'insw|insd',       'Yv,DX',     'insw_Yv_DX',      '80286',  'o rep'],
  [0x6e,   '',      'outsb',           'DX,Xb',     'outsb_DX_Xb',     '80286',  'rep'],
  [0x6f,   '',      'outsw|outsd',     'DX,Xv',     'outsw_DX_Xv',     '80286',  'o rep'],           // 8086: 60–6F alias 70–7F
  [0x70,   '',      'jo',              'Jb',        'jo_Jb',           '8086',   'jcc'],
  [0x71,   '',      'jno',             'Jb',        'jno_Jb',          '8086',   'jcc'],
  [0x72,   '',      'jc',              'Jb',        'jc_Jb',           '8086',   'jcc'],
  [0x73,   '',      'jnc',             'Jb',        'jnc_Jb',          '8086',   'jcc'],
  [0x74,   '',      'jz',              'Jb',        'jz_Jb',           '8086',   'jcc'],
  [0x75,   '',      'jnz',             'Jb',        'jnz_Jb',          '8086',   'jcc'],
  [0x76,   '',      'jna',             'Jb',        'jna_Jb',          '8086',   'jcc'],
  [0x77,   '',      'ja',              'Jb',        'ja_Jb',           '8086',   'jcc'],
  [0x78,   '',      'js',              'Jb',        'js_Jb',           '8086',   'jcc'],
  [0x79,   '',      'jns',             'Jb',        'jns_Jb',          '8086',   'jcc'],
  [0x7a,   '',      'jpe',             'Jb',        'jpe_Jb',          '8086',   'jcc'],
  [0x7b,   '',      'jpo',             'Jb',        'jpo_Jb',          '8086',   'jcc'],
  [0x7c,   '',      'jl',              'Jb',        'jl_Jb',           '8086',   'jcc'],
  [0x7d,   '',      'jnl',             'Jb',        'jnl_Jb',          '8086',   'jcc'],
  [0x7e,   '',      'jng',             'Jb',        'jng_Jb',          '8086',   'jcc'],
  [0x7f,   '',      'jg',              'Jb',        'jg_Jb',           '8086',   'jcc'],
  [0x80,   '/0',    'add',             'Eb,Ib',     'add_Eb_Ib',       '8086',   'lock'],
  [0x80,   '/1',    'or',              'Eb,Ib',     'or_Eb_Ib',        '8086',   'lock'],
  [0x80,   '/2',    'adc',             'Eb,Ib',     'adc_Eb_Ib',       '8086',   'lock'],
  [0x80,   '/3',    'sbb',             'Eb,Ib',     'sbb_Eb_Ib',       '8086',   'lock'],
  [0x80,   '/4',    'and',             'Eb,Ib',     'and_Eb_Ib',       '8086',   'lock'],
  [0x80,   '/5',    'sub',             'Eb,Ib',     'sub_Eb_Ib',       '8086',   'lock'],
  [0x80,   '/6',    'xor',             'Eb,Ib',     'xor_Eb_Ib',       '8086',   'lock'],
  [0x80,   '/7',    'cmp',             'Eb,Ib',     'cmp_Eb_Ib',       '8086'],
  [0x81,   '/0',    'add',             'Ev,Iz',     'add_Ev_Iz',       '8086',   'lock'],
  [0x81,   '/1',    'or',              'Ev,Iz',     'or_Ev_Iz',        '8086',   'lock'],
  [0x81,   '/2',    'adc',             'Ev,Iz',     'adc_Ev_Iz',       '8086',   'lock'],
  [0x81,   '/3',    'sbb',             'Ev,Iz',     'sbb_Ev_Iz',       '8086',   'lock'],
  [0x81,   '/4',    'and',             'Ev,Iz',     'and_Ev_Iz',       '8086',   'lock'],
  [0x81,   '/5',    'sub',             'Ev,Iz',     'sub_Ev_Iz',       '8086',   'lock'],
  [0x81,   '/6',    'xor',             'Ev,Iz',     'xor_Ev_Iz',       '8086',   'lock'],
  [0x81,   '/7',    'cmp',             'Ev,Iz',     'cmp_Ev_Iz',       '8086'],
  [0x82,   '/0',    'add',             'Eb,Ib',     'add_Eb_Ib',       '8086',   'lock'],            // alias of 80 (#UD only in 64-bit mode)
  [0x82,   '/1',    'or',              'Eb,Ib',     'or_Eb_Ib',        '8086',   'lock'],
  [0x82,   '/2',    'adc',             'Eb,Ib',     'adc_Eb_Ib',       '8086',   'lock'],
  [0x82,   '/3',    'sbb',             'Eb,Ib',     'sbb_Eb_Ib',       '8086',   'lock'],
  [0x82,   '/4',    'and',             'Eb,Ib',     'and_Eb_Ib',       '8086',   'lock'],
  [0x82,   '/5',    'sub',             'Eb,Ib',     'sub_Eb_Ib',       '8086',   'lock'],
  [0x82,   '/6',    'xor',             'Eb,Ib',     'xor_Eb_Ib',       '8086',   'lock'],
  [0x82,   '/7',    'cmp',             'Eb,Ib',     'cmp_Eb_Ib',       '8086'],
  [0x83,   '/0',    'add',             'Ev,Ib',     'add_Ev_Ib',       '8086',   'sx lock'],
  [0x83,   '/1',    'or',              'Ev,Ib',     'or_Ev_Ib',        '8086',   'sx lock'],
  [0x83,   '/2',    'adc',             'Ev,Ib',     'adc_Ev_Ib',       '8086',   'sx lock'],
  [0x83,   '/3',    'sbb',             'Ev,Ib',     'sbb_Ev_Ib',       '8086',   'sx lock'],
  [0x83,   '/4',    'and',             'Ev,Ib',     'and_Ev_Ib',       '8086',   'sx lock'],
  [0x83,   '/5',    'sub',             'Ev,Ib',     'sub_Ev_Ib',       '8086',   'sx lock'],
  [0x83,   '/6',    'xor',             'Ev,Ib',     'xor_Ev_Ib',       '8086',   'sx lock'],
  [0x83,   '/7',    'cmp',             'Ev,Ib',     'cmp_Ev_Ib',       '8086',   'sx'],
  [0x84,   '',      'test',            'Eb,Gb',     'test_Eb_Gb',      '8086'],
  [0x85,   '',      'test',            'Ev,Gv',     'test_Ev_Gv',      '8086'],
  [0x86,   '',      'xchg',            'Gb,Eb',     'xchg_Gb_Eb',      '8086',   'lock'],            // SDM map: Eb,Gb (symmetric)
  [0x87,   '',      'xchg',            'Gv,Ev',     'xchg_Gv_Ev',      '8086',   'lock'],
  [0x88,   '',      'mov',             'Eb,Gb',     'mov_Eb_Gb',       '8086'],
  [0x89,   '',      'mov',             'Ev,Gv',     'mov_Ev_Gv',       '8086'],
  [0x8a,   '',      'mov',             'Gb,Eb',     'mov_Gb_Eb',       '8086'],
  [0x8b,   '',      'mov',             'Gv,Ev',     'mov_Gv_Ev',       '8086'],
  [0x8c,   '/0',    'mov',             'Rv/Mw,Sw',  'mov_Ev_Sw',       '8086',   'nosz'],            // SDM map: Ev,Sw; /6 /7: #UD
  [0x8c,   '/1',    'mov',             'Rv/Mw,Sw',  'mov_Ev_Sw',       '8086',   'nosz'],
  [0x8c,   '/2',    'mov',             'Rv/Mw,Sw',  'mov_Ev_Sw',       '8086',   'nosz'],
  [0x8c,   '/3',    'mov',             'Rv/Mw,Sw',  'mov_Ev_Sw',       '8086',   'nosz'],
  [0x8c,   '/4',    'mov',             'Rv/Mw,Sw',  'mov_Ev_Sw',       '80386',  'nosz'],            // FS/GS exist from the 80386
  [0x8c,   '/5',    'mov',             'Rv/Mw,Sw',  'mov_Ev_Sw',       '80386',  'nosz'],
  [0x8d,   '/m',    'lea',             'Gv,M',      'lea_Gv_M',        '8086'],                      // mod=11b: #UD
  [0x8e,   '/0',    'mov',             'Sw,Rv/Mw',  'mov_Sw_Ew',       '8086',   'nosz'],            // /1 (MOV CS) and /6 /7: #UD on 286+
  [0x8e,   '/2',    'mov',             'Sw,Rv/Mw',  'mov_Sw_Ew',       '8086',   'nosz'],
  [0x8e,   '/3',    'mov',             'Sw,Rv/Mw',  'mov_Sw_Ew',       '8086',   'nosz'],
  [0x8e,   '/4',    'mov',             'Sw,Rv/Mw',  'mov_Sw_Ew',       '80386',  'nosz'],
  [0x8e,   '/5',    'mov',             'Sw,Rv/Mw',  'mov_Sw_Ew',       '80386',  'nosz'],
  [0x8f,   '/0',    'pop',             'Ev',        'pop_Ev',          '8086'],
  [0x90,   '',      'pause',           '',          'pause',           '8086',   'pF3'],             // P4 name; a NOP (REP NOP) before
  [0x90,   '',      'nop',             '',          'nop',             '8086'],
  [0x90,   '+r',    'xchg',            'eAX,Zv',    'xchg_eAX_Zv',     '8086'],                      // 90 itself: NOP (the rows above win)
  [0x98,   '',      'cbw|cwde',        '',          'cbw',             '8086',   'o'],
  [0x99,   '',      'cwd|cdq',         '',          'cwd',             '8086',   'o'],
  [0x9a,   '',      'call',            'Ap',        'call_Ap',         '8086',   'call'],
  [0x9b,   '',      'wait',            '',          'wait',            '8086',   'wait'],            // before an x87 form: printed as its prefix
  [0x9c,   '',      'pushf|pushfd',    '',          'pushf',           '8086',   'o'],
  [0x9d,   '',      'popf|popfd',      '',          'popf',            '8086',   'o'],
  [0x9e,   '',      'sahf',            '',          'sahf',            '8086'],
  [0x9f,   '',      'lahf',            '',          'lahf',            '8086'],
  [0xa0,   '',      'mov',             'AL,Ob',     'mov_AL_Ob',       '8086'],
  [0xa1,   '',      'mov',             'eAX,Ov',    'mov_eAX_Ov',      '8086'],
  [0xa2,   '',      'mov',             'Ob,AL',     'mov_Ob_AL',       '8086'],
  [0xa3,   '',      'mov',             'Ov,eAX',    'mov_Ov_eAX',      '8086'],
  [0xa4,   '',      'movsb',           'Yb,Xb',     'movsb_Yb_Xb',     '8086',   'rep'],
  [0xa5,   '',      'movsw|movsd',     'Yv,Xv',     'movsw_Yv_Xv',     '8086',   'o rep'],
  [0xa6,   '',      'cmpsb',           'Xb,Yb',     'cmpsb_Xb_Yb',     '8086',   'repe'],
  [0xa7,   '',      'cmpsw|cmpsd',     'Xv,Yv',     'cmpsw_Xv_Yv',     '8086',   'o repe'],
  [0xa8,   '',      'test',            'AL,Ib',     'test_AL_Ib',      '8086'],
  [0xa9,   '',      'test',            'eAX,Iz',    'test_eAX_Iz',     '8086'],
  [0xaa,   '',      'stosb',           'Yb,AL',     'stosb_Yb_AL',     '8086',   'rep'],
  [0xab,   '',      'stosw|stosd',     'Yv,eAX',    'stosw_Yv_eAX',    '8086',   'o rep'],
  [0xac,   '',      'lodsb',           'AL,Xb',     'lodsb_AL_Xb',     '8086',   'rep'],
  [0xad,   '',      'lodsw|lodsd',     'eAX,Xv',    'lodsw_eAX_Xv',    '8086',   'o rep'],
  [0xae,   '',      'scasb',           'AL,Yb',     'scasb_AL_Yb',     '8086',   'repe'],
  [0xaf,   '',      'scasw|scasd',     'eAX,Yv',    'scasw_eAX_Yv',    '8086',   'o repe'],
  [0xb0,   '+r',    'mov',             'Zb,Ib',     'mov_Zb_Ib',       '8086'],
  [0xb8,   '+r',    'mov',             'Zv,Iv',     'mov_Zv_Iv',       '8086'],
  [0xc0,   '/0',    'rol',             'Eb,Ib',     'rol_Eb_Ib',       '80286',  'sz'],              // 8086: C0 alias C2
  [0xc0,   '/1',    'ror',             'Eb,Ib',     'ror_Eb_Ib',       '80286',  'sz'],
  [0xc0,   '/2',    'rcl',             'Eb,Ib',     'rcl_Eb_Ib',       '80286',  'sz'],
  [0xc0,   '/3',    'rcr',             'Eb,Ib',     'rcr_Eb_Ib',       '80286',  'sz'],
  [0xc0,   '/4',    'shl',             'Eb,Ib',     'shl_Eb_Ib',       '80286',  'sz'],
  [0xc0,   '/5',    'shr',             'Eb,Ib',     'shr_Eb_Ib',       '80286',  'sz'],
  [0xc0,   '/6',    'sal',             'Eb,Ib',     'sal_Eb_Ib',       '80286',  'sz'],              // undocumented SAL alias
  [0xc0,   '/7',    'sar',             'Eb,Ib',     'sar_Eb_Ib',       '80286',  'sz'],
  [0xc1,   '/0',    'rol',             'Ev,Ib',     'rol_Ev_Ib',       '80286',  'sz'],              // 8086: C1 alias C3
  [0xc1,   '/1',    'ror',             'Ev,Ib',     'ror_Ev_Ib',       '80286',  'sz'],
  [0xc1,   '/2',    'rcl',             'Ev,Ib',     'rcl_Ev_Ib',       '80286',  'sz'],
  [0xc1,   '/3',    'rcr',             'Ev,Ib',     'rcr_Ev_Ib',       '80286',  'sz'],
  [0xc1,   '/4',    'shl',             'Ev,Ib',     'shl_Ev_Ib',       '80286',  'sz'],
  [0xc1,   '/5',    'shr',             'Ev,Ib',     'shr_Ev_Ib',       '80286',  'sz'],
  [0xc1,   '/6',    'sal',             'Ev,Ib',     'sal_Ev_Ib',       '80286',  'sz'],              // undocumented SAL alias
  [0xc1,   '/7',    'sar',             'Ev,Ib',     'sar_Ev_Ib',       '80286',  'sz'],
  [0xc2,   '',      'ret',             'Iw',        'ret_Iw',          '8086',   'ret'],
  [0xc3,   '',      'ret',             '',          'ret',             '8086',   'ret'],
  [0xc4,   '/m',    'les',             'Gv,Mp',     'les_Gv_Mp',       '8086'],                      // mod=11b: VEX in 64-bit mode only
  [0xc5,   '/m',    'lds',             'Gv,Mp',     'lds_Gv_Mp',       '8086'],
  [0xc6,   '/0',    'mov',             'Eb,Ib',     'mov_Eb_Ib',       '8086'],
  [0xc7,   '/0',    'mov',             'Ev,Iz',     'mov_Ev_Iz',       '8086'],
  [0xc8,   '',      'enter',           'Iw,Ib',     'enter_Iw_Ib',     '80286'],                     // 8086: alias of CA (RETF Iw)
  [0xc9,   '',      'leave',           '',          'leave',           '80286'],                     // 8086: alias of CB (RETF)
  [0xca,   '',      'retf',            'Iw',        'retf_Iw',         '8086',   'ret'],
  [0xcb,   '',      'retf',            '',          'retf',            '8086',   'ret'],
  [0xcc,   '',      'int3',            '',          'int3',            '8086',   'int'],
  [0xcd,   '',      'int',             'Ib',        'int_Ib',          '8086',   'int'],
  [0xce,   '',      'into',            '',          'into',            '8086',   'int'],
  [0xcf,   '',      'iret|iretd',      '',          'iret',            '8086',   'o ret'],
  [0xd0,   '/0',    'rol',             'Eb,1',      'rol_Eb_1',        '8086'],
  [0xd0,   '/1',    'ror',             'Eb,1',      'ror_Eb_1',        '8086'],
  [0xd0,   '/2',    'rcl',             'Eb,1',      'rcl_Eb_1',        '8086'],
  [0xd0,   '/3',    'rcr',             'Eb,1',      'rcr_Eb_1',        '8086'],
  [0xd0,   '/4',    'shl',             'Eb,1',      'shl_Eb_1',        '8086'],
  [0xd0,   '/5',    'shr',             'Eb,1',      'shr_Eb_1',        '8086'],
  [0xd0,   '/6',    'sal',             'Eb,1',      'sal_Eb_1',        '8086'],                      // undocumented SAL alias (8086: SETMO)
  [0xd0,   '/7',    'sar',             'Eb,1',      'sar_Eb_1',        '8086'],
  [0xd1,   '/0',    'rol',             'Ev,1',      'rol_Ev_1',        '8086'],
  [0xd1,   '/1',    'ror',             'Ev,1',      'ror_Ev_1',        '8086'],
  [0xd1,   '/2',    'rcl',             'Ev,1',      'rcl_Ev_1',        '8086'],
  [0xd1,   '/3',    'rcr',             'Ev,1',      'rcr_Ev_1',        '8086'],
  [0xd1,   '/4',    'shl',             'Ev,1',      'shl_Ev_1',        '8086'],
  [0xd1,   '/5',    'shr',             'Ev,1',      'shr_Ev_1',        '8086'],
  [0xd1,   '/6',    'sal',             'Ev,1',      'sal_Ev_1',        '8086'],                      // undocumented SAL alias (8086: SETMO)
  [0xd1,   '/7',    'sar',             'Ev,1',      'sar_Ev_1',        '8086'],
  [0xd2,   '/0',    'rol',             'Eb,CL',     'rol_Eb_CL',       '8086'],
  [0xd2,   '/1',    'ror',             'Eb,CL',     'ror_Eb_CL',       '8086'],
  [0xd2,   '/2',    'rcl',             'Eb,CL',     'rcl_Eb_CL',       '8086'],
  [0xd2,   '/3',    'rcr',             'Eb,CL',     'rcr_Eb_CL',       '8086'],
  [0xd2,   '/4',    'shl',             'Eb,CL',     'shl_Eb_CL',       '8086'],
  [0xd2,   '/5',    'shr',             'Eb,CL',     'shr_Eb_CL',       '8086'],
  [0xd2,   '/6',    'sal',             'Eb,CL',     'sal_Eb_CL',       '8086'],                      // undocumented SAL alias (8086: SETMOC)
  [0xd2,   '/7',    'sar',             'Eb,CL',     'sar_Eb_CL',       '8086'],
  [0xd3,   '/0',    'rol',             'Ev,CL',     'rol_Ev_CL',       '8086'],
  [0xd3,   '/1',    'ror',             'Ev,CL',     'ror_Ev_CL',       '8086'],
  [0xd3,   '/2',    'rcl',             'Ev,CL',     'rcl_Ev_CL',       '8086'],
  [0xd3,   '/3',    'rcr',             'Ev,CL',     'rcr_Ev_CL',       '8086'],
  [0xd3,   '/4',    'shl',             'Ev,CL',     'shl_Ev_CL',       '8086'],
  [0xd3,   '/5',    'shr',             'Ev,CL',     'shr_Ev_CL',       '8086'],
  [0xd3,   '/6',    'sal',             'Ev,CL',     'sal_Ev_CL',       '8086'],                      // undocumented SAL alias (8086: SETMOC)
  [0xd3,   '/7',    'sar',             'Ev,CL',     'sar_Ev_CL',       '8086'],
  [0xd4,   '',      'aam',             'Ib',        'aam_Ib',          '8086'],                      // Ib = 10 printed without operand
  [0xd5,   '',      'aad',             'Ib',        'aad_Ib',          '8086'],
  [0xd6,   '',      'salc',            '',          'salc',            '8086'],                      // undocumented: AL = CF ? FF : 00
  [0xd7,   '',      'xlatb',           '',          'xlatb',           '8086'],
  [0xe0,   '',      'loopne',          'Jb',        'loopne_Jb',       '8086',   'jcc'],
  [0xe1,   '',      'loope',           'Jb',        'loope_Jb',        '8086',   'jcc'],
  [0xe2,   '',      'loop',            'Jb',        'loop_Jb',         '8086',   'jcc'],
  [0xe3,   '',      'jcxz|jecxz',      'Jb',        'jcxz_Jb',         '8086',   'a jcc'],
  [0xe4,   '',      'in',              'AL,Ib',     'in_AL_Ib',        '8086'],
  [0xe5,   '',      'in',              'eAX,Ib',    'in_eAX_Ib',       '8086'],
  [0xe6,   '',      'out',             'Ib,AL',     'out_Ib_AL',       '8086'],
  [0xe7,   '',      'out',             'Ib,eAX',    'out_Ib_eAX',      '8086'],
  [0xe8,   '',      'call',            'Jz',        'call_Jz',         '8086',   'call'],
  [0xe9,   '',      'jmp',             'Jz',        'jmp_Jz',          '8086',   'jmp'],
  [0xea,   '',      'jmp',             'Ap',        'jmp_Ap',          '8086',   'jmp'],
  [0xeb,   '',      'jmp',             'Jb',        'jmp_Jb',          '8086',   'jmp short'],
  [0xec,   '',      'in',              'AL,DX',     'in_AL_DX',        '8086'],
  [0xed,   '',      'in',              'eAX,DX',    'in_eAX_DX',       '8086'],
  [0xee,   '',      'out',             'DX,AL',     'out_DX_AL',       '8086'],
  [0xef,   '',      'out',             'DX,eAX',    'out_DX_eAX',      '8086'],
  [0xf0,   '',      'lock',            '',          'prefix_LOCK',     '8086',   'prefix'],
  [0xf1,   '',      'int1',            '',          'int1',            '80386',  'int'],             // ICEBP; 8086: alias of F0 (LOCK)
  [0xf2,   '',      'repne',           '',          'prefix_REPNE',    '8086',   'prefix'],
  [0xf3,   '',      'rep',             '',          'prefix_REP',      '8086',   'prefix'],
  [0xf4,   '',      'hlt',             '',          'hlt',             '8086'],
  [0xf5,   '',      'cmc',             '',          'cmc',             '8086'],
  [0xf6,   '/0',    'test',            'Eb,Ib',     'test_Eb_Ib',      '8086'],
  [0xf6,   '/1',    'test',            'Eb,Ib',     'test_Eb_Ib',      '8086'],                      // undocumented alias of /0
  [0xf6,   '/2',    'not',             'Eb',        'not_Eb',          '8086',   'lock'],
  [0xf6,   '/3',    'neg',             'Eb',        'neg_Eb',          '8086',   'lock'],
  [0xf6,   '/4',    'mul',             'Eb',        'mul_Eb',          '8086'],
  [0xf6,   '/5',    'imul',            'Eb',        'imul_Eb',         '8086'],
  [0xf6,   '/6',    'div',             'Eb',        'div_Eb',          '8086'],
  [0xf6,   '/7',    'idiv',            'Eb',        'idiv_Eb',         '8086'],
  [0xf7,   '/0',    'test',            'Ev,Iz',     'test_Ev_Iz',      '8086'],
  [0xf7,   '/1',    'test',            'Ev,Iz',     'test_Ev_Iz',      '8086'],                      // undocumented alias of /0
  [0xf7,   '/2',    'not',             'Ev',        'not_Ev',          '8086',   'lock'],
  [0xf7,   '/3',    'neg',             'Ev',        'neg_Ev',          '8086',   'lock'],
  [0xf7,   '/4',    'mul',             'Ev',        'mul_Ev',          '8086'],
  [0xf7,   '/5',    'imul',            'Ev',        'imul_Ev',         '8086'],
  [0xf7,   '/6',    'div',             'Ev',        'div_Ev',          '8086'],
  [0xf7,   '/7',    'idiv',            'Ev',        'idiv_Ev',         '8086'],
  [0xf8,   '',      'clc',             '',          'clc',             '8086'],
  [0xf9,   '',      'stc',             '',          'stc',             '8086'],
  [0xfa,   '',      'cli',             '',          'cli',             '8086'],
  [0xfb,   '',      'sti',             '',          'sti',             '8086'],
  [0xfc,   '',      'cld',             '',          'cld',             '8086'],
  [0xfd,   '',      'std',             '',          'std',             '8086'],
  [0xfe,   '/0',    'inc',             'Eb',        'inc_Eb',          '8086',   'lock'],
  [0xfe,   '/1',    'dec',             'Eb',        'dec_Eb',          '8086',   'lock'],
  [0xff,   '/0',    'inc',             'Ev',        'inc_Ev',          '8086',   'lock'],
  [0xff,   '/1',    'dec',             'Ev',        'dec_Ev',          '8086',   'lock'],
  [0xff,   '/2',    'call',            'Ev',        'call_Ev',         '8086',   'call nosz'],
  [0xff,   '/3m',   'call',            'Mp',        'call_Mp',         '8086',   'call far'],
  [0xff,   '/4',    'jmp',             'Ev',        'jmp_Ev',          '8086',   'jmp nosz'],
  [0xff,   '/5m',   'jmp',             'Mp',        'jmp_Mp',          '8086',   'jmp far'],
  [0xff,   '/6',    'push',            'Ev',        'push_Ev',         '8086'],
];

/**
 * 8086-only rows (the SDM does not document them; 8086 behaviour): the 80186 opcodes are aliases on the
 * 8086, 0F is POP CS, D0–D3 /6 is SETMO/SETMOC. For model '8086' each replaces the rows of its opcode
 * with the same selector (all of them for '').
 */
// prettier-ignore
const QUIRKS_8086: RowDef[] = [
  [0x0f,   '',      'pop',             'CS',        'pop_CS',          '8086',   '8086'],            // 286+: two-byte escape
  [0x60,   '',      'jo',              'Jb',        'jo_Jb',           '8086',   'jcc 8086'],        // 60–6F alias 70–7F
  [0x61,   '',      'jno',             'Jb',        'jno_Jb',          '8086',   'jcc 8086'],
  [0x62,   '',      'jc',              'Jb',        'jc_Jb',           '8086',   'jcc 8086'],
  [0x63,   '',      'jnc',             'Jb',        'jnc_Jb',          '8086',   'jcc 8086'],
  [0x64,   '',      'jz',              'Jb',        'jz_Jb',           '8086',   'jcc 8086'],
  [0x65,   '',      'jnz',             'Jb',        'jnz_Jb',          '8086',   'jcc 8086'],
  [0x66,   '',      'jna',             'Jb',        'jna_Jb',          '8086',   'jcc 8086'],
  [0x67,   '',      'ja',              'Jb',        'ja_Jb',           '8086',   'jcc 8086'],
  [0x68,   '',      'js',              'Jb',        'js_Jb',           '8086',   'jcc 8086'],
  [0x69,   '',      'jns',             'Jb',        'jns_Jb',          '8086',   'jcc 8086'],
  [0x6a,   '',      'jpe',             'Jb',        'jpe_Jb',          '8086',   'jcc 8086'],
  [0x6b,   '',      'jpo',             'Jb',        'jpo_Jb',          '8086',   'jcc 8086'],
  [0x6c,   '',      'jl',              'Jb',        'jl_Jb',           '8086',   'jcc 8086'],
  [0x6d,   '',      'jnl',             'Jb',        'jnl_Jb',          '8086',   'jcc 8086'],
  [0x6e,   '',      'jng',             'Jb',        'jng_Jb',          '8086',   'jcc 8086'],
  [0x6f,   '',      'jg',              'Jb',        'jg_Jb',           '8086',   'jcc 8086'],
  [0x8c,   '',      'mov',             'Ew,Sw',     'mov_Ev_Sw',       '8086',   'nosz 8086'],       // reg field bit 2 ignored
  [0x8e,   '',      'mov',             'Sw,Ew',     'mov_Sw_Ew',       '8086',   'nosz 8086'],       // reg field bit 2 ignored; /1 loads CS
  [0xc0,   '',      'ret',             'Iw',        'ret_Iw',          '8086',   'ret 8086'],        // alias of C2
  [0xc1,   '',      'ret',             '',          'ret',             '8086',   'ret 8086'],        // alias of C3
  [0xc8,   '',      'retf',            'Iw',        'retf_Iw',         '8086',   'ret 8086'],        // alias of CA
  [0xc9,   '',      'retf',            '',          'retf',            '8086',   'ret 8086'],        // alias of CB
  [0xd0,   '/6',    'setmo',           'Eb,1',      'setmo_Eb_1',      '8086',   '8086'],            // undocumented: operand = FFh
  [0xd1,   '/6',    'setmo',           'Ev,1',      'setmo_Ev_1',      '8086',   '8086'],
  [0xd2,   '/6',    'setmoc',          'Eb,CL',     'setmoc_Eb_CL',    '8086',   '8086'],            // only when CL != 0
  [0xd3,   '/6',    'setmoc',          'Ev,CL',     'setmoc_Ev_CL',    '8086',   '8086'],
  [0xf1,   '',      'lock',            '',          'prefix_LOCK',     '8086',   'prefix 8086'],     // alias of F0
];

export const ONE_BYTE_ROWS: readonly OpRow[] = ONE_BYTE.map(makeRow);
export const QUIRK_8086_ROWS: readonly OpRow[] = QUIRKS_8086.map(makeRow);
