// Every request's arguments are checked against a declared shape before a handler sees them: the
// type of each field a handler reads, which are required, and a bound for every number, string and
// list, so a bad or hostile client gets one clear error naming the field instead of a JavaScript
// TypeError, a stack overflow or a request that runs for minutes. Node only; must not import vscode.

import { CustomRequest } from '../protocol/customRequests';

/** Returns what is wrong with a value at `path`, or null. */
type Check = (v: unknown, path: string) => string | null;

/** Expressions, conditions, log messages and names: far more than anyone types, small enough to parse at once. */
export const MAX_EXPRESSION = 4096;
/** Characters one typeKeys request may type. */
export const MAX_KEY_TEXT = 4096;
/** Bytes one readMemory/writeMemory request may move, and bytes one data breakpoint may watch. */
export const MAX_MEMORY_BYTES = 1 << 20;
/** Instructions one disassemble request may list, and how far it may skip from its anchor. */
export const MAX_DISASSEMBLE = 4096;
/** Breakpoints in one set*Breakpoints request. */
const MAX_BREAKPOINTS = 4096;
const U32 = 0xffffffff;
const I32 = 0x7fffffff;

function shown(v: unknown): string {
  const s = v === undefined ? 'nothing' : typeof v === 'string' ? `a string of ${v.length} characters` : v === null ? 'null' : Array.isArray(v) ? `a list of ${v.length}`
    : typeof v === 'object' ? 'an object' : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const int = (min: number, max: number): Check => (v, p) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null
    : `'${p}' must be an integer from ${min} to ${max} (got ${shown(v)})`;

const num: Check = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? null : `'${p}' must be a number (got ${shown(v)})`);

const str = (max: number): Check => (v, p) =>
  typeof v !== 'string' ? `'${p}' must be a string (got ${shown(v)})`
    : v.length > max ? `'${p}' is ${v.length} characters long; at most ${max} are accepted` : null;

const bool: Check = (v, p) => (typeof v === 'boolean' ? null : `'${p}' must be true or false (got ${shown(v)})`);

const oneOf = (...values: string[]): Check => (v, p) =>
  typeof v === 'string' && values.includes(v) ? null : `'${p}' must be one of ${values.join(', ')} (got ${shown(v)})`;

/** Absent (undefined or null) or as `c` says. */
const opt = (c: Check): Check => (v, p) => (v === undefined || v === null ? null : c(v, p));

type Fields = Record<string, Check>;

const obj = (fields: Fields): Check => (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `'${p}' must be an object (got ${shown(v)})`;
  for (const [k, c] of Object.entries(fields)) {
    const e = c((v as Record<string, unknown>)[k], p ? `${p}.${k}` : k);
    if (e) return e;
  }
  return null;
};

const list = (item: Check, max: number): Check => (v, p) => {
  if (!Array.isArray(v)) return `'${p}' must be a list (got ${shown(v)})`;
  if (v.length > max) return `'${p}' has ${v.length} entries; at most ${max} are accepted`;
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return null;
};

const expr = str(MAX_EXPRESSION);
const conditions: Fields = { condition: opt(expr), hitCondition: opt(expr), logMessage: opt(expr) };
const offset = opt(int(-U32, U32));
const profile = opt(str(32));

/** The fields each request's handler reads; requests not listed take no arguments the adapter looks at. */
const SHAPES: Record<string, Fields> = {
  initialize: { adapterID: str(256), linesStartAt1: opt(bool), columnsStartAt1: opt(bool), pathFormat: opt(str(16)) },
  stackTrace: { startFrame: opt(int(0, I32)), levels: opt(int(0, I32)) },
  variables: { variablesReference: int(0, I32) },
  source: { source: opt(obj({ sourceReference: opt(int(0, I32)) })), sourceReference: opt(int(0, I32)) },
  setVariable: { variablesReference: int(0, I32), name: str(256), value: expr },
  stepBack: { granularity: opt(oneOf('statement', 'line', 'instruction')) },
  gotoTargets: { source: opt(obj({ path: opt(str(MAX_EXPRESSION)) })), line: opt(int(0, I32)), instructionReference: opt(str(256)) },
  goto: { targetId: int(1, U32 + 1) },
  setBreakpoints: {
    source: obj({ path: opt(str(MAX_EXPRESSION)), name: opt(str(MAX_EXPRESSION)) }),
    breakpoints: opt(list(obj({ line: int(0, I32), ...conditions }), MAX_BREAKPOINTS)),
    lines: opt(list(int(0, I32), MAX_BREAKPOINTS)),
  },
  setFunctionBreakpoints: { breakpoints: list(obj({ name: expr, ...conditions }), MAX_BREAKPOINTS) },
  setInstructionBreakpoints: { breakpoints: list(obj({ instructionReference: str(256), offset, ...conditions }), MAX_BREAKPOINTS) },
  dataBreakpointInfo: { name: expr, bytes: opt(int(1, MAX_MEMORY_BYTES)), asAddress: opt(bool) },
  setDataBreakpoints: {
    breakpoints: list(obj({ dataId: str(64), accessType: opt(oneOf('read', 'write', 'readWrite')), ...conditions }), MAX_BREAKPOINTS),
  },
  setExceptionBreakpoints: {
    filters: list(str(64), MAX_BREAKPOINTS),
    filterOptions: opt(list(obj({ filterId: str(64), condition: opt(expr) }), MAX_BREAKPOINTS)),
  },
  readMemory: { memoryReference: str(64), offset, count: int(0, MAX_MEMORY_BYTES) },
  writeMemory: { memoryReference: str(64), offset, data: str(Math.ceil(MAX_MEMORY_BYTES / 3) * 4) },
  disassemble: {
    memoryReference: str(64), offset, instructionOffset: opt(int(-MAX_DISASSEMBLE, MAX_DISASSEMBLE)),
    instructionCount: int(0, MAX_DISASSEMBLE),
  },
  evaluate: { expression: expr, context: opt(str(32)) },
  completions: { text: expr, column: int(0, I32) },
  [CustomRequest.ReadVmcs]: { profile },
  [CustomRequest.CheckVmEntry]: { profile },
  [CustomRequest.FindCheckFailureStart]: { profile: str(32), checkId: str(64) },
  [CustomRequest.ReadTimeline]: { profile, from: opt(num), to: opt(num) },
  [CustomRequest.GotoInstruction]: { instruction: int(0, Number.MAX_SAFE_INTEGER) },
  [CustomRequest.ReadDescriptorTable]: { table: str(8), max: opt(int(0, 8192)) },
  [CustomRequest.TypeKeys]: { text: str(MAX_KEY_TEXT) },
  [CustomRequest.FindFaultWrite]: { link: int(0, 255), subject: int(0, 255) },
};

/** What is wrong with a request's arguments (one line naming the request and the field), or null. */
export function argumentsProblem(command: string, args: unknown): string | null {
  // Clients leave out empty arguments (DebugClient does): absent is an empty object.
  const a = args === undefined ? {} : args;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return `${command}: the arguments must be an object (got ${shown(a)})`;
  const shape = SHAPES[command];
  const e = shape ? obj(shape)(a, '') : null;
  return e ? `${command}: ${e}` : null;
}
