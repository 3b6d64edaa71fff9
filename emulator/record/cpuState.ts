// Save and restore of the CPU's architectural state for snapshots. The state is every data field
// of the Cpu object (numbers, booleans, bigints, typed arrays, the MSR map), found by reflection so
// fields added to cpu.ts later are covered; wiring (memory, I/O, handlers, model hooks) is kept.
// Caches derived from the state (fetch page, paging TLB, known segment reloads) are flushed on restore.

import type { Cpu } from '../cpu/cpu';
import type { X87State } from '../cpu/fpu/x87';

/** Fields that are wiring or per-model constants, never state. */
const SKIP = new Set(['model', 'traits', 'mem', 'io', 'ops', 'ram', 'bpPages', 'bpPhysPages', 'csWatch']);
/** State held in objects the CPU replaces and never changes (the fault chain): saved by reference. */
const REFS = ['faultChain', 'faultCause'] as const;

export interface CpuSnapshot {
  scalars: Map<string, number | boolean | bigint | string>;
  refs: Map<string, unknown>;
  arrays: Map<string, Uint8Array | Uint16Array | Uint32Array>;
  maps: Map<string, Map<unknown, unknown>>;
  /** The x87's state when the CPU has one (an object, so the reflection above does not see it). */
  fpu: X87State | null;
}

/** The layout of one Cpu's data fields, computed once per CPU (the field set never changes). */
interface Layout {
  scalars: string[];
  arrays: string[];
  maps: string[];
}

const layouts = new WeakMap<Cpu, Layout>();

function layoutOf(cpu: Cpu): Layout {
  let l = layouts.get(cpu);
  if (l) return l;
  l = { scalars: [], arrays: [], maps: [] };
  const seenBuffers = new Set<ArrayBufferLike>();
  for (const [k, v] of Object.entries(cpu)) {
    if (SKIP.has(k)) continue;
    const t = typeof v;
    if (t === 'number' || t === 'boolean' || t === 'bigint' || t === 'string') l.scalars.push(k);
    else if (ArrayBuffer.isView(v)) {
      // r8/r16/r32 are views of one buffer: copy it once.
      const buf = (v as Uint8Array).buffer;
      if (seenBuffers.has(buf) && (v as Uint8Array).byteLength === buf.byteLength) continue;
      seenBuffers.add(buf);
      l.arrays.push(k);
    } else if (v instanceof Map) l.maps.push(k);
  }
  layouts.set(cpu, l);
  return l;
}

export function saveCpu(cpu: Cpu): CpuSnapshot {
  const l = layoutOf(cpu);
  const c = cpu as unknown as Record<string, unknown>;
  const s: CpuSnapshot = { scalars: new Map(), refs: new Map(), arrays: new Map(), maps: new Map(), fpu: cpu.fpu?.saveState() ?? null };
  for (const k of l.scalars) s.scalars.set(k, c[k] as number);
  for (const k of REFS) s.refs.set(k, c[k]);
  for (const k of l.arrays) s.arrays.set(k, (c[k] as Uint8Array).slice());
  for (const k of l.maps) s.maps.set(k, new Map(c[k] as Map<unknown, unknown>));
  return s;
}

export function loadCpu(cpu: Cpu, s: CpuSnapshot): void {
  const c = cpu as unknown as Record<string, unknown>;
  for (const [k, v] of s.scalars) c[k] = v;
  for (const [k, v] of s.refs) c[k] = v;
  for (const [k, v] of s.arrays) (c[k] as Uint8Array).set(v);
  for (const [k, v] of s.maps) {
    const m = c[k] as Map<unknown, unknown>;
    m.clear();
    for (const [mk, mv] of v) m.set(mk, mv);
  }
  if (s.fpu && cpu.fpu) cpu.fpu.loadState(s.fpu);
  // Derived caches: the instruction-fetch page, the paging TLB and the known segment reloads.
  cpu.flushFetch();
  cpu.tlbFlush(cpu);
  cpu.loadMemo.dropReloads();
}

/** Rough size in bytes of a CPU snapshot, for the memory budget. */
export function cpuSnapshotBytes(s: CpuSnapshot): number {
  let n = 64 * s.scalars.size + 64 * s.maps.size + (s.fpu ? 400 : 0);
  for (const a of s.arrays.values()) n += a.byteLength + 64;
  for (const m of s.maps.values()) n += 48 * m.size;
  return n;
}
