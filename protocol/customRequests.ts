// Custom DAP requests of the bootscope adapter, typed in one place (the js-debug dapCustom idea):
// the request names as a const enum and one args/response pair per request. The extension's views
// (descriptor tables, screen, keyboard, VMCS, VM-entry checks) use only these and standard DAP.
// Types only: no runtime dependencies, no vscode.

export const enum CustomRequest {
  /** GDT, LDT or the interrupt table in force (IVT in real mode, IDT in protected mode). */
  ReadDescriptorTable = 'bootscope/readDescriptorTable',
  /** The 80x25 text screen and cursor. */
  ReadScreen = 'bootscope/readScreen',
  /** Queues keystrokes for the keyboard controller. */
  TypeKeys = 'bootscope/typeKeys',
  /** The task-state segment TR points at. */
  ReadTss = 'bootscope/readTss',
  /** The live state as a VMCS guest-state area. */
  ReadVmcs = 'bootscope/readVmcs',
  /** Every VM-entry check on the live state under a profile (`raw`, `unrestricted`). */
  CheckVmEntry = 'bootscope/checkVmEntry',
}

export interface DescriptorEntry {
  index: number;
  selector: number;
  /** The two descriptor dwords (low, high); empty for IVT entries. */
  raw: number[];
  base: number;
  limit: number;
  /** Access rights in VMCS layout (type, S, DPL, P, AVL, L, D/B, G). */
  accessRights: number;
  present: boolean;
  dpl: number;
  /** "code, execute/read, accessed", "system, 32/64-bit interrupt gate", "ivt" … */
  typeName: string;
  /** Gates and IVT entries: where they lead. */
  target?: { selector: number; offset: number };
}

export interface ReadDescriptorTableArgs {
  table: 'gdt' | 'ldt' | 'idt';
  /** At most this many entries (default: the whole table). */
  max?: number;
}
export interface ReadDescriptorTableResponse {
  table: 'gdt' | 'ldt' | 'idt' | 'ivt';
  base: number;
  limit: number;
  entries: DescriptorEntry[];
}

export type ReadScreenArgs = Record<string, never>;
export interface ReadScreenResponse {
  lines: string[];
  cursor: { row: number; col: number; visible: boolean };
}

export interface TypeKeysArgs {
  /** Text to type; `\n` is Enter (see emulator/devices/keyboard.ts for escapes). */
  text: string;
}
export type TypeKeysResponse = Record<string, never>;

export type ReadTssArgs = Record<string, never>;
export interface ReadTssResponse {
  selector: number;
  base: number;
  limit: number;
  bits: 16 | 32;
  fields: { name: string; value: number }[];
}

export interface ReadVmcsArgs {
  /** `raw` or `unrestricted` (the live state as is; default raw). */
  profile?: string;
}
export interface ReadVmcsResponse {
  fields: { name: string; encoding: number; value: number | string }[];
}

export interface CheckVmEntryArgs {
  profile?: string;
}
export interface CheckVmEntryResponse {
  profile: string;
  verdict: 'enter' | 'emulate' | 'fail';
  /** What VM entry would do: enter, VMfailValid (error 7) or a VM exit for invalid guest state. */
  outcome: string;
  failures: { id: string; section: string; field: string; message: string }[];
  /** Counts of every check's status (all are run; none stops the list). */
  passed: number;
  skipped: number;
}

/** Request name → [args, response], for typed senders and handlers. */
export interface CustomRequestMap {
  [CustomRequest.ReadDescriptorTable]: [ReadDescriptorTableArgs, ReadDescriptorTableResponse];
  [CustomRequest.ReadScreen]: [ReadScreenArgs, ReadScreenResponse];
  [CustomRequest.TypeKeys]: [TypeKeysArgs, TypeKeysResponse];
  [CustomRequest.ReadTss]: [ReadTssArgs, ReadTssResponse];
  [CustomRequest.ReadVmcs]: [ReadVmcsArgs, ReadVmcsResponse];
  [CustomRequest.CheckVmEntry]: [CheckVmEntryArgs, CheckVmEntryResponse];
}
