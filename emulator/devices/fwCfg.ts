// QEMU's firmware configuration device as the `pc` machine has it: selector at 510h (16-bit), data
// at 511h (8-bit, sequential), and the DMA interface (ID bit 1) at 514h: the guest writes the
// physical address of an FWCfgDmaAccess (control, length, address; big-endian) as two 32-bit halves,
// the low half at 518h starting the transfer, which selects, reads or skips and then clears the
// control word (or leaves its error bit); the device writes no item. The items SeaBIOS reads from
// QEMU 7.2 that this machine has a truthful answer for: signature, ID, UUID, RAM size, CPU counts,
// no boot menu, IRQ0 override, and the files QEMU 7.2's `pc` machine offers (without the kvmvapic
// option ROM, which belongs to a local APIC this machine does not have): etc/e820 (the RAM below
// 4 GiB), etc/boot-fail-wait (FFFFFFFFh: no retry, as QEMU's default -boot reboot-timeout), the
// ACPI tables with their loader commands (acpiTables.ts), the SMBIOS tables (the built-in BIOS's,
// bios/smbios.ts, less the BIOS's own type 0), etc/system-states (S5 only), bootorder (the device
// paths of the drives a boot order names one by one, as QEMU writes those given a bootindex: lines
// separated by a newline, the last ended by NUL; empty when none is, the firmware then ordering kinds
// by the CMOS), and empty bios-geometry (no geometry overrides) and etc/tpm/log (no TPM).
// A machine without ACPI (QEMU's -machine acpi=off) offers none of the ACPI tables, the loader,
// etc/tpm/log (QEMU builds those three together) or etc/system-states (the PM function's).
// Pure TypeScript: no Node or VS Code imports.
// QEMU docs/specs/fw_cfg.rst (registers, item numbers, file directory format).

import type { IoBus } from './ioBus';
import type { Memory } from '../memory/bus';
import { smbiosEntryPoint, smbiosStructures, type SmbiosMachine } from '../bios/smbios';
import { ACPI_RSDP_FILE, ACPI_TABLES_FILE, TABLE_LOADER_FILE, acpiFiles } from './acpiTables';

export const FW_CFG_PORT = 0x510, FW_CFG_DMA_PORT = 0x514;
/** ID: the traditional interface and DMA. */
const FW_CFG_VERSION = 0x01, FW_CFG_VERSION_DMA = 0x02;
/** FWCfgDmaAccess control bits. */
const DMA_ERROR = 0x01, DMA_READ = 0x02, DMA_SKIP = 0x04, DMA_SELECT = 0x08, DMA_WRITE = 0x10;
/** What reading the DMA address register gives: "QEMU CFG", big-endian. */
const DMA_SIGNATURE = new TextEncoder().encode('QEMU CFG');
export const FW_CFG_SIGNATURE = 0x00, FW_CFG_ID = 0x01, FW_CFG_UUID = 0x02, FW_CFG_RAM_SIZE = 0x03;
export const FW_CFG_NOGRAPHIC = 0x04, FW_CFG_NB_CPUS = 0x05, FW_CFG_BOOT_MENU = 0x0e, FW_CFG_MAX_CPUS = 0x0f;
export const FW_CFG_FILE_DIR = 0x19, FW_CFG_FILE_FIRST = 0x20, FW_CFG_IRQ0_OVERRIDE = 0x8002;
/** E820 type of usable RAM. */
const E820_RAM = 1;
/**
 * etc/system-states: a byte per sleep state S0–S5, bit 7 set where the state is offered, bits 0–2
 * its SLP_TYP. acpiPm.ts models soft off (S5, SLP_TYP 0) only.
 */
const SYSTEM_STATES = [0x80, 0, 0, 0, 0, 0x80];
/** A directory entry: size (BE32), select (BE16), reserved (16 bits), a 56-byte NUL-padded name. */
const DIR_ENTRY = 64, NAME_BYTES = 56;

function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
  return out;
}

export class FwCfg {
  /** The selected item and the next byte of it the data port returns. */
  selector = 0;
  offset = 0;
  /** The DMA address register's high half, as last written. */
  dmaHigh = 0;
  private readonly items = new Map<number, Uint8Array>();

  /**
   * `machine` for the SMBIOS tables; `bootorder` the device paths in boot order (bootPaths.ts); `acpi`
   * false: the files of a machine without ACPI.
   */
  constructor(machine: SmbiosMachine, private readonly memory: Memory, bootorder: readonly string[] = [], acpi = true) {
    const ramBytes = machine.ramBytes;
    this.items.set(FW_CFG_SIGNATURE, new TextEncoder().encode('QEMU'));
    this.items.set(FW_CFG_ID, le(FW_CFG_VERSION | FW_CFG_VERSION_DMA, 4));
    this.items.set(FW_CFG_UUID, new Uint8Array(16));
    this.items.set(FW_CFG_RAM_SIZE, le(ramBytes, 8));
    this.items.set(FW_CFG_NOGRAPHIC, le(0, 2));
    this.items.set(FW_CFG_NB_CPUS, le(1, 2));
    this.items.set(FW_CFG_MAX_CPUS, le(1, 2));
    this.items.set(FW_CFG_BOOT_MENU, le(0, 2));
    this.items.set(FW_CFG_IRQ0_OVERRIDE, le(1, 4));
    const e820 = new Uint8Array(20); // address (LE64), length (LE64), type (LE32)
    e820.set(le(ramBytes, 8), 8);
    e820.set(le(E820_RAM, 4), 16);
    const tables = acpiFiles();
    const smbios = smbiosStructures(machine, false);
    this.addFiles({
      'bios-geometry': new Uint8Array(0),
      bootorder: bootorder.length ? new TextEncoder().encode(`${bootorder.join('\n')}\0`) : new Uint8Array(0),
      'etc/boot-fail-wait': le(0xffffffff, 4),
      'etc/e820': e820,
      'etc/smbios/smbios-anchor': smbiosEntryPoint(smbios, null),
      'etc/smbios/smbios-tables': smbios.bytes,
      ...(acpi ? {
        [ACPI_RSDP_FILE]: tables.rsdp,
        [ACPI_TABLES_FILE]: tables.tables,
        'etc/system-states': Uint8Array.from(SYSTEM_STATES),
        [TABLE_LOADER_FILE]: tables.loader,
        'etc/tpm/log': new Uint8Array(0),
      } : {}),
    });
  }

  attach(io: IoBus): void {
    io.register(FW_CFG_PORT, 2, {
      in8: (p) => (p === FW_CFG_PORT ? 0 : this.readByte()),
      out8: (p, v) => { if (p === FW_CFG_PORT) this.select(v); },
      out16: (p, v) => { if (p === FW_CFG_PORT) this.select(v); },
    });
    // QEMU takes 32- and 64-bit writes here only; byte reads give the signature.
    io.register(FW_CFG_DMA_PORT, 8, {
      in8: (p) => DMA_SIGNATURE[p - FW_CFG_DMA_PORT],
      out8: () => {},
      out32: (p, v) => {
        const value = ((v & 0xff) << 24 | (v & 0xff00) << 8 | (v >>> 8) & 0xff00 | v >>> 24) >>> 0; // big-endian register
        if (p === FW_CFG_DMA_PORT) this.dmaHigh = value;
        else if (p === FW_CFG_DMA_PORT + 4) this.dma(this.dmaHigh * 2 ** 32 + value);
      },
    });
  }

  /**
   * Runs the FWCfgDmaAccess at physical `at`: select (control bits 31–16 the selector), then read
   * `length` bytes of the item to `address` (zeros past its end) or skip them; writes are refused
   * (error). The control word becomes 0, or keeps only the error bit.
   */
  private dma(at: number): void {
    const m = this.memory;
    const be32 = (a: number) => ((m.read8(a) << 24) | (m.read8(a + 1) << 16) | (m.read8(a + 2) << 8) | m.read8(a + 3)) >>> 0;
    const control = be32(at), length = be32(at + 4);
    const address = be32(at + 8) * 2 ** 32 + be32(at + 12);
    if (control & DMA_SELECT) this.select(control >>> 16);
    let result = 0;
    if (control & DMA_WRITE) result = DMA_ERROR;
    else if (control & (DMA_READ | DMA_SKIP)) {
      const it = this.items.get(this.selector);
      for (let i = 0; i < length; i++) {
        const v = it && this.offset < it.length ? it[this.offset] : 0;
        this.offset++;
        if (control & DMA_READ) m.write8(address + i, v);
      }
    }
    for (let i = 0; i < 4; i++) m.write8(at + i, (result >>> (24 - 8 * i)) & 0xff);
  }

  /** The bytes of an item (a copy), or null when there is none with that selector. */
  item(selector: number): Uint8Array | null {
    const it = this.items.get(selector);
    return it ? it.slice() : null;
  }

  private select(v: number): void {
    this.selector = v & 0xffff;
    this.offset = 0;
  }

  /** Past the item's end, and for a selector with no item, the data port reads 0. */
  private readByte(): number {
    const it = this.items.get(this.selector);
    if (!it || this.offset >= it.length) return 0;
    return it[this.offset++];
  }

  /** Files get selectors from 20h in name order, as QEMU sorts its directory. */
  private addFiles(files: Record<string, Uint8Array>): void {
    const names = Object.keys(files).sort();
    const dir = new Uint8Array(4 + names.length * DIR_ENTRY);
    const view = new DataView(dir.buffer);
    view.setUint32(0, names.length);
    names.forEach((name, i) => {
      const at = 4 + i * DIR_ENTRY, select = FW_CFG_FILE_FIRST + i;
      view.setUint32(at, files[name].length);
      view.setUint16(at + 4, select);
      dir.set(new TextEncoder().encode(name).subarray(0, NAME_BYTES - 1), at + 8);
      this.items.set(select, files[name]);
    });
    this.items.set(FW_CFG_FILE_DIR, dir);
  }
}
