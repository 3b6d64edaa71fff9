// The x86 I/O port space (64 Ki ports). Devices register byte handlers for port ranges; word and
// dword accesses are split into byte accesses unless a device registers wide handlers, which is
// how the ISA bus presents 8-bit devices. Unclaimed ports read as all ones, as on a PC.
// Pure TypeScript: no Node or VS Code imports.

export interface PortHandler {
  in8(port: number): number;
  out8(port: number, value: number): void;
  in16?(port: number): number;
  out16?(port: number, value: number): void;
  in32?(port: number): number;
  out32?(port: number, value: number): void;
}

/** Notified of every port access (I/O breakpoints, tracing); null when nothing is armed. */
export interface PortObserver {
  onIn(port: number, size: number, value: number): void;
  onOut(port: number, size: number, value: number): void;
}

export class IoBus {
  private readonly handlers: (PortHandler | undefined)[] = new Array(0x10000);
  observer: PortObserver | null = null;
  /** Called before every port access so devices see the current instruction time (the machine's clock sync). */
  beforeAccess: (() => void) | null = null;

  register(port: number, count: number, handler: PortHandler): void {
    for (let p = port; p < port + count; p++) this.handlers[p & 0xffff] = handler;
  }

  /** Leaves the ports unclaimed again (a device that moved its I/O base). */
  unregister(port: number, count: number): void {
    for (let p = port; p < port + count; p++) this.handlers[p & 0xffff] = undefined;
  }

  in8(port: number): number {
    this.beforeAccess?.();
    const h = this.handlers[port & 0xffff];
    const v = h ? h.in8(port & 0xffff) & 0xff : 0xff;
    this.observer?.onIn(port, 1, v);
    return v;
  }

  out8(port: number, value: number): void {
    this.beforeAccess?.();
    this.handlers[port & 0xffff]?.out8(port & 0xffff, value & 0xff);
    this.observer?.onOut(port, 1, value & 0xff);
  }

  in16(port: number): number {
    const h = this.handlers[port & 0xffff];
    if (h?.in16) this.beforeAccess?.();
    const v = h?.in16 ? h.in16(port & 0xffff) & 0xffff : this.in8(port) | (this.in8(port + 1) << 8);
    if (h?.in16) this.observer?.onIn(port, 2, v);
    return v;
  }

  out16(port: number, value: number): void {
    const h = this.handlers[port & 0xffff];
    if (h?.out16) {
      this.beforeAccess?.();
      h.out16(port & 0xffff, value & 0xffff);
      this.observer?.onOut(port, 2, value & 0xffff);
    } else {
      this.out8(port, value & 0xff);
      this.out8(port + 1, (value >>> 8) & 0xff);
    }
  }

  in32(port: number): number {
    const h = this.handlers[port & 0xffff];
    if (h?.in32) {
      this.beforeAccess?.();
      const v = h.in32(port & 0xffff) >>> 0;
      this.observer?.onIn(port, 4, v);
      return v;
    }
    return (this.in16(port) | (this.in16(port + 2) << 16)) >>> 0;
  }

  out32(port: number, value: number): void {
    const h = this.handlers[port & 0xffff];
    if (h?.out32) {
      this.beforeAccess?.();
      h.out32(port & 0xffff, value >>> 0);
      this.observer?.onOut(port, 4, value >>> 0);
    } else {
      this.out16(port, value & 0xffff);
      this.out16(port + 2, (value >>> 16) & 0xffff);
    }
  }
}
