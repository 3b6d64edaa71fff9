// The register tree behind scopes and variables: a static tree of nodes, each naming a register or
// field path that emulator/debug/registers reads and writes, so variable references are stable
// across stops. Segment registers expand into their hidden cache, EFLAGS and CR0/CR3/CR4 into bits.
// Node only; must not import vscode. SDM Vol. 1 §3.4, Vol. 3 §2.5, §3.4.5, Table 25-2 (AR layout).

import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Cpu } from '../emulator/cpu/cpu';
import { DS, ES, SEG_NAMES, SS } from '../emulator/cpu/regs';
import { evaluate } from '../emulator/debug/expression';
import { CR0_FIELDS, CR3_FIELDS, CR4_FIELDS, EFLAGS_FIELDS, GPR16, GPR32, GPR8, readRegister, writeRegister } from '../emulator/debug/registers';
import { describeType } from '../emulator/vmx/accessRights';
import { FPU_CW_FIELDS, FPU_SW_FIELDS, stText } from '../emulator/debug/fpuRegisters';
import { hex } from '../protocol/format';

interface Node {
  /** Display name. */
  name: string;
  /** Register path for readRegister/writeRegister. */
  path: string;
  children?: Node[];
  /** Linear address this value points at (pointer-like registers), computed at read time. */
  pointer?: (cpu: Cpu) => number;
  /** Extra text after the value. */
  note?: (cpu: Cpu) => string;
  /** Writing it edits the hidden cache directly. */
  cacheField?: boolean;
  /** The whole value as text, for what is not a number (an x87 register). */
  text?: (cpu: Cpu) => string;
}

export const enum ScopeName {
  General = 'General Registers',
  Segments = 'Segment Registers',
  Flags = 'EFLAGS',
  Control = 'Control Registers',
  Tables = 'Descriptor Tables',
  Fpu = 'FPU',
}

const bits = (head: string, table: readonly [string, number, number, string][]): Node[] =>
  table.map(([n, , , what]) => ({ name: n.toUpperCase(), path: `${head}.${n}`, note: () => ` ${what}` }));

function segNode(i: number): Node {
  const s = SEG_NAMES[i];
  const f = (name: string, field: string, note?: Node['note']): Node => ({ name, path: `${s}.${field}`, cacheField: true, note });
  return {
    name: s, path: s,
    note: (cpu) => ` base=${hex(cpu.base[i], 8)} limit=0x${cpu.limit[i].toString(16)} ar=0x${cpu.ar[i].toString(16).padStart(5, '0')}`,
    pointer: (cpu) => cpu.base[i],
    children: [
      { name: 'selector', path: `${s}.sel`, note: (cpu) => ` index=${cpu.sel[i] >> 3} TI=${(cpu.sel[i] >> 2) & 1} RPL=${cpu.sel[i] & 3}` },
      { ...f('base', 'base'), pointer: (cpu) => cpu.base[i] },
      f('limit', 'limit'),
      {
        ...f('access rights', 'ar'),
        children: [
          f('type', 'type', (cpu) => ` ${describeType(cpu.ar[i] & 0xf, (cpu.ar[i] & 0x10) !== 0)}`),
          f('S', 's', (cpu) => (cpu.ar[i] & 0x10 ? ' code/data' : ' system')),
          f('DPL', 'dpl'),
          f('P', 'p', (cpu) => (cpu.ar[i] & 0x80 ? ' present' : ' not present')),
          f('AVL', 'avl'),
          f('D/B', 'db', (cpu) => (cpu.ar[i] & 0x4000 ? ' 32-bit' : ' 16-bit')),
          f('G', 'g', (cpu) => (cpu.ar[i] & 0x8000 ? ' limit in 4 KiB units' : ' limit in bytes')),
          f('unusable', 'unusable', (cpu) => (cpu.ar[i] & 0x10000 ? ' (null selector or invalid)' : '')),
        ],
      },
    ],
  };
}

const gprPointer: Record<string, (cpu: Cpu) => number> = {
  esp: (cpu) => cpu.base[SS] + (cpu.r32[4] & cpu.stackMask),
  ebp: (cpu) => cpu.base[SS] + (cpu.code32 ? cpu.r32[5] : cpu.r16[10]),
  esi: (cpu) => cpu.base[DS] + (cpu.code32 ? cpu.r32[6] : cpu.r16[12]),
  edi: (cpu) => cpu.base[ES] + (cpu.code32 ? cpu.r32[7] : cpu.r16[14]),
  ebx: (cpu) => cpu.base[DS] + (cpu.code32 ? cpu.r32[3] : cpu.r16[6]),
};

const SCOPES: [ScopeName, Node[]][] = [
  [ScopeName.General, [
    ...GPR32.map((r, i): Node => ({
      name: r, path: r, pointer: gprPointer[r],
      children: [{ name: GPR16[i], path: GPR16[i] }, ...(i < 4 ? [{ name: GPR8[i], path: GPR8[i] }, { name: GPR8[i + 4], path: GPR8[i + 4] }] : [])],
    })),
    { name: 'eip', path: 'eip', pointer: (cpu) => cpu.base[1] + cpu.eip, children: [{ name: 'ip', path: 'ip' }] },
  ]],
  [ScopeName.Segments, [0, 1, 2, 3, 4, 5].map(segNode)],
  [ScopeName.Flags, [{ name: 'eflags', path: 'eflags' }, ...bits('eflags', EFLAGS_FIELDS)]],
  [ScopeName.Control, [
    { name: 'cr0', path: 'cr0', children: bits('cr0', CR0_FIELDS) },
    { name: 'cr2', path: 'cr2', note: () => ' page-fault linear address' },
    { name: 'cr3', path: 'cr3', children: bits('cr3', CR3_FIELDS), pointer: (cpu) => cpu.cr3 & 0xfffff000 },
    { name: 'cr4', path: 'cr4', children: bits('cr4', CR4_FIELDS) },
  ]],
  [ScopeName.Tables, [
    { name: 'gdtr', path: 'gdtr.base', pointer: (cpu) => cpu.gdtrBase, note: (cpu) => ` limit=0x${cpu.gdtrLimit.toString(16)}`,
      children: [{ name: 'base', path: 'gdtr.base', pointer: (cpu) => cpu.gdtrBase }, { name: 'limit', path: 'gdtr.limit' }] },
    { name: 'idtr', path: 'idtr.base', pointer: (cpu) => cpu.idtrBase, note: (cpu) => ` limit=0x${cpu.idtrLimit.toString(16)}`,
      children: [{ name: 'base', path: 'idtr.base', pointer: (cpu) => cpu.idtrBase }, { name: 'limit', path: 'idtr.limit' }] },
    segNode(6),
    segNode(7),
  ]],
];

/** The x87 (machines with `fpu`): ST0-ST7 as values with their raw bits and tags, the words decoded. */
const FPU_SCOPE: [ScopeName, Node[]] = [ScopeName.Fpu, [
  ...Array.from({ length: 8 }, (_, i): Node => ({ name: `st${i}`, path: `fpu.st${i}`, text: (cpu) => stText(cpu, i) })),
  { name: 'control word', path: 'fpu.cw', children: bits('fpu.cw', FPU_CW_FIELDS) },
  { name: 'status word', path: 'fpu.sw', children: bits('fpu.sw', FPU_SW_FIELDS) },
  { name: 'tag word', path: 'fpu.tw' },
  { name: 'top', path: 'fpu.top' },
  { name: 'last instruction', path: 'fpu.fip', note: (cpu) => ` cs=${hex(cpu.fpu?.fcs ?? 0, 4)} opcode=${hex(cpu.fpu?.fop ?? 0, 3)}` },
  { name: 'last operand', path: 'fpu.fdp', note: (cpu) => ` ds=${hex(cpu.fpu?.fds ?? 0, 4)}` },
]];

/** Reference numbers: 1..n for scopes, then one per node with children (fixed for the session). */
export class RegisterTree {
  private readonly containers: Node[][] = [];
  private readonly scopeRefs: [ScopeName, number][] = [];
  /** Segments whose cache was written directly since their selector was last loaded. */
  private readonly editedCaches = new Set<string>();

  constructor(private readonly cpu: Cpu) {
    for (const [name, nodes] of cpu.fpu ? [...SCOPES, FPU_SCOPE] : SCOPES) this.scopeRefs.push([name, this.register(nodes)]);
  }

  private register(nodes: Node[]): number {
    this.containers.push(nodes);
    const ref = this.containers.length;
    for (const n of nodes) if (n.children) this.refOf.set(n, this.register(n.children));
    return ref;
  }

  private readonly refOf = new Map<Node, number>();

  scopes(): DebugProtocol.Scope[] {
    return this.scopeRefs.map(([name, ref]) => ({ name, variablesReference: ref, expensive: false, presentationHint: 'registers' }));
  }

  variables(ref: number): DebugProtocol.Variable[] | null {
    const nodes = this.containers[ref - 1];
    if (!nodes) return null;
    return nodes.map((n) => this.variable(n));
  }

  private variable(n: Node): DebugProtocol.Variable {
    const v = readRegister(this.cpu, n.path);
    const value = v === null ? '?' : v.size === 0 ? String(v.value) : `0x${v.value.toString(16).padStart(v.size * 2, '0')}`;
    const seg = n.path.split('.')[0];
    const edited = !n.path.includes('.') && this.editedCaches.has(seg) ? ' [cache edited]' : '';
    const out: DebugProtocol.Variable = {
      name: n.name,
      value: n.text ? n.text(this.cpu) : value + (n.note ? n.note(this.cpu) : '') + edited,
      variablesReference: this.refOf.get(n) ?? 0,
      evaluateName: n.path,
    };
    if (n.pointer) out.memoryReference = `0x${(n.pointer(this.cpu) >>> 0).toString(16)}`;
    return out;
  }

  /**
   * setVariable: `value` is an expression (`0x7c00`, `ax+2`, `0b1`). Returns the new variable and a note.
   * `write` stores the value (a recording session passes one that goes through the recorder).
   */
  set(ref: number, name: string, value: string, write = (path: string, v: number) => writeRegister(this.cpu, path, v)): { variable: DebugProtocol.Variable; note: string } {
    const nodes = this.containers[ref - 1];
    const n = nodes?.find((x) => x.name === name);
    if (!n) throw new Error(`no register '${name}' in this scope`);
    const v = evaluate(this.cpu, value).value;
    const note = write(n.path, v);
    const seg = n.path.split('.')[0];
    if (n.cacheField) this.editedCaches.add(seg);
    else if ((SEG_NAMES as readonly string[]).includes(n.path) || n.path.endsWith('.sel')) this.editedCaches.delete(seg);
    return { variable: this.variable(n), note };
  }
}
