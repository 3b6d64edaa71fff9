// Save and restore of device state for snapshots (reverse execution restores a snapshot and replays).
// A device's state is its own data fields, deep-copied; references to other parts of the machine
// (clock, interrupt sink, memory, other devices) and callbacks are wiring, not state, and are kept.
// Pure TypeScript: no Node or VS Code imports.

/** Field names that hold wiring in the device classes of this folder and in DiskImage. */
const WIRING = new Set(['clock', 'irq', 'memory', 'pit', 'opts', 'source', 'writeBack', 'devices', 'io', 'fn', 'ports', 'drives', 'dma']);

/** Whether a field name is wiring, remembered per name (a snapshot asks for every field). */
const wiringNames = new Map<string, boolean>();

function isWiring(key: string, value: unknown): boolean {
  if (typeof value === 'function') return true;
  let w = wiringNames.get(key);
  if (w === undefined) {
    w = WIRING.has(key) || /^on[A-Z]/.test(key);
    wiringNames.set(key, w);
  }
  return w;
}

function isClassInstance(v: unknown): v is object {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Map || v instanceof Set) return false;
  return Object.getPrototypeOf(v) !== Object.prototype;
}

function copy(v: unknown): unknown {
  // Numbers, strings and booleans are immutable: structuredClone of each cost most of a snapshot.
  if (v === null || typeof v !== 'object') return v;
  // A typed array's own slice: structuredClone serializes it (and all of a view's buffer), ten times slower.
  if (ArrayBuffer.isView(v)) return v instanceof DataView ? structuredClone(v) : (v as Uint8Array).slice();
  if (Array.isArray(v)) return v.map(copy);
  if (isClassInstance(v)) return saveState(v);
  return structuredClone(v);
}

/** A deep copy of the device's data fields (nested device objects such as PIT channels included). */
export function saveState(device: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = device as Record<string, unknown>;
  // for-in over a class instance is its own fields (methods and accessors are not enumerable), without Object.entries' pairs.
  for (const k in fields) {
    const v = fields[k];
    if (!isWiring(k, v)) out[k] = copy(v);
  }
  return out;
}

/**
 * Puts a state from saveState back; typed arrays (of the same length: a buffer a device resizes is
 * replaced) and nested device objects are updated in place.
 */
export function loadState(device: object, state: Record<string, unknown>): void {
  const target = device as Record<string, unknown>;
  for (const [k, v] of Object.entries(state)) {
    const cur = target[k];
    if (ArrayBuffer.isView(cur) && ArrayBuffer.isView(v) && (cur as Uint8Array).length === (v as Uint8Array).length) {
      (cur as Uint8Array).set(v as Uint8Array);
    } else if (isClassInstance(cur)) {
      loadState(cur, v as Record<string, unknown>);
    } else if (Array.isArray(cur) && Array.isArray(v) && cur.length === v.length && cur.length > 0 && isClassInstance(cur[0])) {
      cur.forEach((c, i) => loadState(c as object, v[i] as Record<string, unknown>));
    } else if (Array.isArray(cur) && Array.isArray(v)) {
      cur.length = 0; // keep the array object: others may hold it (the key queue)
      for (const e of v) cur.push(structuredClone(e));
    } else if (cur instanceof Map && v instanceof Map) {
      cur.clear();
      for (const [mk, mv] of v) cur.set(mk, structuredClone(mv));
    } else {
      target[k] = structuredClone(v);
    }
  }
}
