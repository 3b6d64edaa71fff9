// Per-4-KiB-page flag bits for physical memory. A set bit diverts an access to the slow path
// (ROM, MMIO, watchpoints, dirty tracking for recording); a page with no bits costs one test.
// Pure TypeScript: no Node or VS Code imports.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** Writes are ignored (BIOS ROM). */
export const PF_ROM = 0x01;
/** Reads and writes go to an MMIO handler. */
export const PF_MMIO = 0x02;
/** Some read watchpoint covers part of this page. */
export const PF_WATCH_R = 0x04;
/** Some write watchpoint covers part of this page. */
export const PF_WATCH_W = 0x08;
/** The recorder wants to know about the first write to this page since its last snapshot. */
export const PF_TRACK_DIRTY = 0x10;
/** Compiled code (cpu/jit) was made from bytes of this page: writes check which bytes they hit. */
export const PF_CODE = 0x20;
/**
 * No RAM behind the page (at or above the top of RAM; set once, by Memory): the fast paths need no
 * separate test of an address against the RAM size (compiled blocks' accesses).
 */
export const PF_NO_RAM = 0x40;

/** Bits that divert a read from the fast path. */
export const PF_READ_SLOW = PF_MMIO | PF_WATCH_R | PF_NO_RAM;
/** Bits that divert a write from the fast path. */
export const PF_WRITE_SLOW = PF_ROM | PF_MMIO | PF_WATCH_W | PF_TRACK_DIRTY | PF_CODE | PF_NO_RAM;
