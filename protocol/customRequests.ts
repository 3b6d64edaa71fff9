// Custom DAP requests of the bootscope adapter, typed in one place (the js-debug dapCustom idea):
// the request names as a const enum and one args/response pair per request. These are the adapter's requests for
// other DAP clients (one table, the TSS, keystrokes); the panels' requests are protocol/panels.ts.
// Types only: no runtime dependencies, no vscode.

export const enum CustomRequest {
  /** GDT, LDT or the interrupt table in force (IVT in real mode, IDT in protected mode). */
  ReadDescriptorTable = 'bootscope/readDescriptorTable',
  /** Queues keystrokes for the keyboard controller. */
  TypeKeys = 'bootscope/typeKeys',
  /** The task-state segment TR points at. */
  ReadTss = 'bootscope/readTss',
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

/** Request name → [args, response], for typed senders and handlers. */
export interface CustomRequestMap {
  [CustomRequest.ReadDescriptorTable]: [ReadDescriptorTableArgs, ReadDescriptorTableResponse];
  [CustomRequest.TypeKeys]: [TypeKeysArgs, TypeKeysResponse];
  [CustomRequest.ReadTss]: [ReadTssArgs, ReadTssResponse];
}
