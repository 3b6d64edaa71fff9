// Physical memory: RAM, the A20 gate, ROM and MMIO regions, and page flags that send watched,
// tracked or device pages to a slow path. Every CPU, BIOS and device access goes through here,
// so watchpoints and recording see implicit accesses (stack, descriptor and IDT loads) too.
// Pure TypeScript: no Node or VS Code imports.

import { PAGE_SHIFT, PAGE_SIZE, PF_CODE, PF_MMIO, PF_NO_RAM, PF_READ_SLOW, PF_ROM, PF_TRACK_DIRTY, PF_WRITE_SLOW } from './pageFlags';

/** The code marks of every page without any: shared, never written (one element type in codeBytes). */
const NO_MARKS = new Uint16Array(PAGE_SIZE);

export interface MmioHandler {
  read8(addr: number): number;
  write8(addr: number, value: number): void;
}

/** Called on the slow path for watched pages; the machine decides whether the access hits a watchpoint. */
export interface AccessObserver {
  onRead(addr: number, size: number): void;
  onWrite(addr: number, size: number, value: number): void;
}

export interface MemoryOptions {
  /** RAM size in bytes (a multiple of 4 KiB). Addresses above it read as 0 (or a ROM mapped there), and writes are dropped. */
  ramSize: number;
}

export class Memory {
  readonly ram: Uint8Array;
  /** The same RAM as 32-bit words in host byte order (for block moves on little-endian hosts). */
  readonly ram32: Uint32Array;
  readonly ramSize: number;
  /** One byte of PF_* bits per 4 KiB physical page over the whole address space. */
  readonly pageFlags: Uint8Array;
  /** ANDed into every physical address: 0xFFEFFFFF while the A20 gate is off, else all ones. */
  a20Mask = 0xffffffff | 0;
  observer: AccessObserver | null = null;
  /** Called on the first write to a page marked PF_TRACK_DIRTY (the bit is cleared then): the recorder's copy-on-write hook. */
  onFirstDirty: ((page: number) => void) | null = null;
  /** Called after the A20 gate changed (linear addresses from 1 MiB up map elsewhere): the watchpoints' hook. */
  onA20Change: (() => void) | null = null;
  /** Called when A20 or the ROM/MMIO map changes: the CPU drops its code window, which skips both. */
  onRemap: (() => void) | null = null;
  /**
   * How many marks cover each byte of a PF_CODE page: bytes that compiled blocks or cached
   * descriptors were made from. A store next to them in the same page, as boot sectors do with
   * their variables and stack, stays on a fast path; only a store into them reaches onCodeWrite.
   */
  readonly codeBytes: Uint16Array[] = [];
  /** Marks per PF_CODE page (the flag goes when they do). */
  private readonly codeMarks: number[] = [];
  /** Called after a write hit marked bytes (physical address, length): what was made from them is stale. */
  onCodeWrite: ((addr: number, length: number) => void) | null = null;
  private readonly mmio = new Map<number, MmioHandler>();
  /** ROM images kept apart from RAM so that a write to a ROM page cannot change them. */
  private readonly rom = new Map<number, Uint8Array>();
  /** ROM pages hidden by shadow RAM (setShadow with reads from RAM): guest and debugger see RAM. */
  private readonly shadowed = new Set<number>();

  constructor(opts: MemoryOptions) {
    if (opts.ramSize <= 0 || opts.ramSize % PAGE_SIZE !== 0) throw new Error(`RAM size ${opts.ramSize} is not a positive multiple of 4 KiB`);
    this.ramSize = opts.ramSize;
    this.ram = new Uint8Array(opts.ramSize);
    this.ram32 = new Uint32Array(this.ram.buffer);
    // Flags for every page of the 4 GiB physical address space, so any 32-bit address has one.
    this.pageFlags = new Uint8Array(0x1_0000_0000 / PAGE_SIZE).fill(PF_NO_RAM, opts.ramSize / PAGE_SIZE);
  }

  get a20Enabled(): boolean {
    return this.a20Mask === (0xffffffff | 0);
  }

  setA20(enabled: boolean): void {
    this.a20Mask = enabled ? 0xffffffff | 0 : 0xffefffff | 0;
    this.onRemap?.();
    this.onA20Change?.();
  }

  /** Maps a ROM image at a physical address (page aligned); reads come from the image, writes are ignored. */
  mapRom(addr: number, image: Uint8Array): void {
    if (addr % PAGE_SIZE !== 0) throw new Error('ROM must be page aligned');
    const pages = Math.ceil(image.length / PAGE_SIZE);
    for (let i = 0; i < pages; i++) {
      const page = (addr >>> PAGE_SHIFT) + i;
      const chunk = new Uint8Array(PAGE_SIZE).fill(0xff);
      chunk.set(image.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
      this.rom.set(page, chunk);
      this.pageFlags[page] |= PF_ROM;
      // Below the top of RAM the ROM shadows RAM, so keep the RAM copy equal to it: the fast
      // read path then needs no check.
      const base = (page << PAGE_SHIFT) >>> 0;
      if (base + PAGE_SIZE <= this.ramSize) this.ram.set(chunk, base);
    }
    this.onRemap?.();
  }

  /**
   * Shadow RAM at a page range below the top of RAM, as a chipset's PAM registers control it: reads
   * from RAM (`read`) or else from the ROM image mapped there (copied into RAM's place, as mapRom
   * does; with no image, plain RAM), writes to RAM (`write`) or else ignored. While reads come from
   * the ROM, writes are ignored too: the DRAM hidden behind a ROM is not modelled.
   */
  setShadow(addr: number, length: number, read: boolean, write: boolean): void {
    let changed = false;
    for (let page = addr >>> PAGE_SHIFT; page < (addr + length) >>> PAGE_SHIFT; page++) {
      const base = page << PAGE_SHIFT;
      if (base + PAGE_SIZE > this.ramSize) continue;
      const rom = this.rom.get(page);
      const wasShadowed = this.shadowed.has(page), wasRom = (this.pageFlags[page] & PF_ROM) !== 0;
      const toRom = read ? !write : rom !== undefined;
      if (wasShadowed === read && wasRom === toRom) continue;
      changed = true;
      // The page's content or writability changes outside the write path: a recorder gets its
      // copy first, as on a first write.
      this.pageFlags[page] &= ~PF_TRACK_DIRTY;
      this.onFirstDirty?.(page);
      if (read) this.shadowed.add(page);
      else this.shadowed.delete(page);
      if (toRom) this.pageFlags[page] |= PF_ROM;
      else this.pageFlags[page] &= ~PF_ROM;
      if (wasShadowed && !read && rom) {
        this.ram.set(rom, base);
        this.rewritten(base, PAGE_SIZE);
      }
    }
    if (changed) this.onRemap?.();
  }

  mapMmio(addr: number, length: number, handler: MmioHandler): void {
    for (let p = addr >>> PAGE_SHIFT; p < (addr + length + PAGE_SIZE - 1) >>> PAGE_SHIFT; p++) {
      this.mmio.set(p, handler);
      this.pageFlags[p] |= PF_MMIO;
    }
    this.onRemap?.();
  }

  /** Takes an MMIO range away again: the pages read as RAM (below its top) or all ones. */
  unmapMmio(addr: number, length: number): void {
    for (let p = addr >>> PAGE_SHIFT; p < (addr + length + PAGE_SIZE - 1) >>> PAGE_SHIFT; p++) {
      this.mmio.delete(p);
      this.pageFlags[p] &= ~PF_MMIO;
    }
    this.onRemap?.();
  }

  read8(addr: number): number {
    addr = (addr & this.a20Mask) >>> 0;
    if ((this.pageFlags[addr >>> PAGE_SHIFT] & PF_READ_SLOW) === 0 && addr < this.ramSize) return this.ram[addr];
    return this.read8Slow(addr);
  }

  write8(addr: number, value: number): void {
    addr = (addr & this.a20Mask) >>> 0;
    if (addr < this.ramSize && this.plainWrite(addr, 1)) {
      this.ram[addr] = value;
      return;
    }
    this.write8Slow(addr, value);
  }

  // Wide accesses take one page-flag test when they stay inside a page (then A20 cannot split them).

  read16(addr: number): number {
    const a = (addr & this.a20Mask) >>> 0;
    if ((a & 0xfff) !== 0xfff && (this.pageFlags[a >>> PAGE_SHIFT] & PF_READ_SLOW) === 0 && a + 1 < this.ramSize) {
      return this.ram[a] | (this.ram[a + 1] << 8);
    }
    return this.read8(addr) | (this.read8(addr + 1) << 8);
  }

  read32(addr: number): number {
    const a = (addr & this.a20Mask) >>> 0;
    if ((a & 0xfff) < 0xffd && (this.pageFlags[a >>> PAGE_SHIFT] & PF_READ_SLOW) === 0 && a + 3 < this.ramSize) {
      const r = this.ram;
      return (r[a] | (r[a + 1] << 8) | (r[a + 2] << 16) | (r[a + 3] << 24)) >>> 0;
    }
    return (this.read16(addr) | (this.read16(addr + 2) << 16)) >>> 0;
  }

  write16(addr: number, value: number): void {
    const a = (addr & this.a20Mask) >>> 0;
    if ((a & 0xfff) !== 0xfff && a + 1 < this.ramSize && this.plainWrite(a, 2)) {
      this.ram[a] = value;
      this.ram[a + 1] = value >>> 8;
      return;
    }
    this.write8(addr, value & 0xff);
    this.write8(addr + 1, (value >>> 8) & 0xff);
  }

  write32(addr: number, value: number): void {
    const a = (addr & this.a20Mask) >>> 0;
    if ((a & 0xfff) < 0xffd && a + 3 < this.ramSize && this.plainWrite(a, 4)) {
      const r = this.ram;
      r[a] = value;
      r[a + 1] = value >>> 8;
      r[a + 2] = value >>> 16;
      r[a + 3] = value >>> 24;
      return;
    }
    this.write16(addr, value & 0xffff);
    this.write16(addr + 2, (value >>> 16) & 0xffff);
  }

  /** A write of `size` bytes inside one RAM page needs nothing but the store: no flag, or code flag and no code byte hit. */
  private plainWrite(a: number, size: number): boolean {
    const f = this.pageFlags[a >>> PAGE_SHIFT];
    if ((f & PF_WRITE_SLOW) === 0) return true;
    if (f !== PF_CODE) return false;
    const bytes = this.codeBytes[a >>> PAGE_SHIFT];
    const i = a & 0xfff;
    if (size === 1) return bytes[i] === 0;
    return size === 2 ? (bytes[i] | bytes[i + 1]) === 0 : (bytes[i] | bytes[i + 1] | bytes[i + 2] | bytes[i + 3]) === 0;
  }

  /** Adds a mark to physical RAM bytes [addr, addr + length) (inside one page). */
  markCode(addr: number, length: number): void {
    const page = addr >>> PAGE_SHIFT;
    // Filled on first use (a machine that never compiles code pays nothing), and never replaced:
    // compiled blocks hold this array.
    if (this.codeBytes.length === 0) {
      for (let p = 0; p < this.ramSize / PAGE_SIZE; p++) {
        this.codeBytes.push(NO_MARKS);
        this.codeMarks.push(0);
      }
    }
    let bytes = this.codeBytes[page];
    if (bytes === NO_MARKS) this.codeBytes[page] = bytes = new Uint16Array(PAGE_SIZE);
    for (let i = addr & 0xfff; i < (addr & 0xfff) + length; i++) bytes[i]++;
    this.codeMarks[page]++;
    this.pageFlags[page] |= PF_CODE;
  }

  /** Takes back one markCode of the same bytes. */
  unmarkCode(addr: number, length: number): void {
    const page = addr >>> PAGE_SHIFT;
    const bytes = this.codeBytes[page];
    if (bytes === undefined || bytes === NO_MARKS) return;
    for (let i = addr & 0xfff; i < (addr & 0xfff) + length; i++) bytes[i]--;
    if (--this.codeMarks[page] === 0) {
      this.codeBytes[page] = NO_MARKS;
      this.pageFlags[page] &= ~PF_CODE;
    }
  }

  /**
   * RAM changed behind the accessors (a snapshot restore, a debugger edit): code pages in the range
   * report to onCodeWrite as a store would.
   */
  rewritten(addr: number, length: number): void {
    for (let p = addr >>> PAGE_SHIFT; p <= (addr + length - 1) >>> PAGE_SHIFT; p++) {
      if (this.pageFlags[p] & PF_CODE) this.onCodeWrite?.(Math.max(addr, p << PAGE_SHIFT) >>> 0, Math.min(addr + length, (p + 1) << PAGE_SHIFT) - Math.max(addr, p << PAGE_SHIFT));
    }
  }

  /**
   * Puts `data` back into RAM at `addr` (a snapshot restore). Only the runs of bytes that change
   * count as stores for the code marks, so compiled code made from unchanged bytes survives.
   */
  restoreRam(addr: number, data: Uint8Array): void {
    const ram = this.ram;
    for (let i = 0; i < data.length;) {
      if (ram[addr + i] === data[i]) { i++; continue; }
      const from = i;
      while (i < data.length && ram[addr + i] !== data[i]) i++;
      ram.set(data.subarray(from, i), addr + from);
      this.rewritten(addr + from, i - from);
    }
  }

  /** restoreRam of the whole RAM from a copy of it: pages compared a word at a time, only changed ones rewritten. */
  restoreAllRam(copy: Uint8Array): void {
    if (copy.length !== this.ramSize) throw new Error(`restoreAllRam: a copy of ${copy.length} bytes for ${this.ramSize} bytes of RAM`);
    const words = new Uint32Array(copy.buffer, copy.byteOffset, copy.length >>> 2);
    const ram32 = this.ram32, perPage = PAGE_SIZE >>> 2;
    for (let w = 0; w < words.length; w += perPage) {
      let k = w;
      const end = w + perPage;
      while (k < end && ram32[k] === words[k]) k++;
      if (k < end) this.restoreRam(w << 2, copy.subarray(w << 2, (w + perPage) << 2));
    }
  }

  /** Debugger/loader access: no watchpoints, no A20 wrap, ROM writable. Never seen by the guest's watch logic. */
  peek(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.peekByte((addr + i) >>> 0);
    return out;
  }

  /** peek's little-endian dword without an allocation (page-table walks for the debugger). */
  peek32(addr: number): number {
    return (this.peekByte(addr >>> 0) | (this.peekByte((addr + 1) >>> 0) << 8) | (this.peekByte((addr + 2) >>> 0) << 16) | (this.peekByte((addr + 3) >>> 0) << 24)) >>> 0;
  }

  private peekByte(a: number): number {
    if (a < this.ramSize) return this.ram[a];
    const rom = this.rom.get(a >>> PAGE_SHIFT);
    return rom ? rom[a & (PAGE_SIZE - 1)] : 0;
  }

  /** Debugger/loader write (the user edits memory): bypasses ROM protection and watchpoints. */
  poke(addr: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const a = (addr + i) >>> 0;
      const rom = this.shadowed.has(a >>> PAGE_SHIFT) ? undefined : this.rom.get(a >>> PAGE_SHIFT);
      if (rom) rom[a & (PAGE_SIZE - 1)] = data[i];
      if (a < this.ramSize) this.ram[a] = data[i];
    }
    if (data.length > 0) this.rewritten(addr >>> 0, data.length);
  }

  private read8Slow(addr: number): number {
    const flags = this.pageFlags[addr >>> PAGE_SHIFT];
    if (flags & PF_MMIO) {
      const h = this.mmio.get(addr >>> PAGE_SHIFT);
      const v = h ? h.read8(addr) & 0xff : 0xff;
      this.observer?.onRead(addr, 1);
      return v;
    }
    this.observer?.onRead(addr, 1);
    if (addr < this.ramSize) return this.ram[addr];
    const rom = this.rom.get(addr >>> PAGE_SHIFT);
    // Nothing there (past RAM, the PCI hole): QEMU 7.2's unassigned memory reads as 0, and loaders
    // that read past a table at the top of RAM (hdt.c32 under SeaBIOS) take it as "none".
    return rom ? rom[addr & (PAGE_SIZE - 1)] : 0;
  }

  private write8Slow(addr: number, value: number): void {
    const page = addr >>> PAGE_SHIFT;
    const flags = this.pageFlags[page];
    if (flags & PF_TRACK_DIRTY) {
      this.pageFlags[page] = flags & ~PF_TRACK_DIRTY;
      this.onFirstDirty?.(page);
    }
    if (flags & PF_ROM) return;
    if (flags & PF_MMIO) {
      this.mmio.get(page)?.write8(addr, value & 0xff);
    } else if (addr < this.ramSize) {
      this.ram[addr] = value;
      if (flags & PF_CODE && this.codeBytes[page][addr & 0xfff] !== 0) this.onCodeWrite?.(addr, 1);
    }
    this.observer?.onWrite(addr, 1, value & 0xff);
  }
}
