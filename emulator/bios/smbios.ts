// The SMBIOS (DMI) tables of this machine: a 2.8 entry point ("_SM_" with the "_DMI_" intermediate
// anchor) and its structure table, in the F000 segment for the built-in BIOS, and on fw_cfg for a
// firmware image (fwCfg.ts). The values describe this machine honestly: the BIOS is Bootscope's, the
// board QEMU's i440FX + PIIX layout (QEMU's name for it as the product), the CPU the emulated model
// at its virtual clock, the memory the guest RAM. The structures have their 2.8 lengths, as QEMU
// 7.2's, so SeaBIOS walks the same bytes under both machines (test/boot/seabiosReset.test.ts).
// Pure TypeScript: no Node or VS Code imports. DMTF DSP0134 SMBIOS 2.8: §5.2.1 (entry point),
// §6.1.2–6.1.3 (structure header, strings), §7.1–7.3, 7.5, 7.17–7.18, 7.20, 7.33, 7.44.

import type { CpuModel } from '../cpu/cpu';

export interface SmbiosMachine {
  ramBytes: number;
  cpu: CpuModel;
  /** The CPU's virtual clock (Clock.instructionsPerSecond: one instruction a cycle). */
  cpuHz: number;
  /** CPUID leaf 1's EAX and EDX, the processor ID of an x86 with CPUID (§7.5.3); zeros without. */
  processorId?: { eax: number; edx: number } | null;
  /** Values taken from another machine's description for a lock-step (host/qemu.ts QEMU_SMBIOS_QUIRKS). */
  quirks?: SmbiosQuirks;
}

/**
 * Fields where a machine compared from reset describes itself as QEMU 7.2 does, since QEMU's -smbios
 * cannot set them (a firmware reads them as data, e.g. SeaBIOS's scan of the F segment for an RSDP).
 */
export interface SmbiosQuirks {
  /** Type 4's processor family (and family 2), §7.5.2. */
  processorFamily?: number;
  /** Type 16's location and error correction, §7.17.1, §7.17.3. */
  memoryArrayLocation?: number;
  memoryErrorCorrection?: number;
}

/** Where the tables go: F000:D000 (entry point, 16-byte aligned) and F000:D020 (structures). */
export const SMBIOS_ENTRY = 0xd000;
export const SMBIOS_TABLE = 0xd020;
const F_SEGMENT = 0xf0000;

const HANDLE_ARRAY = 0x1000, HANDLE_DEVICE = 0x1100;
/** SMBIOS processor family codes (§3.3.5.2). */
const FAMILY: Record<CpuModel, number> = { '8086': 0x03, '80286': 0x04, '80386': 0x05, '80486': 0x06, pentium: 0x0b, pentium2: 0x0d };
export const BIOS_VENDOR = 'Bootscope';
export const BIOS_VERSION = 'Bootscope built-in BIOS';
/** The ROM's date (layout.ts ROM_DATE) in the SMBIOS form. */
const BIOS_DATE = '01/01/2024';

/** One structure: its formatted area (type, length and handle prepended) and its strings. */
function structure(type: number, handle: number, body: number[], strings: string[]): number[] {
  const bytes = [type, body.length + 4, handle & 0xff, handle >> 8, ...body];
  for (const s of strings) bytes.push(...[...s].map((c) => c.charCodeAt(0) & 0x7f), 0);
  bytes.push(0);
  if (strings.length === 0) bytes.push(0);
  return bytes;
}

const w = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const d = (v: number) => [...w(v & 0xffff), ...w(v >>> 16)];

/**
 * The structure table (types 0, 1, 3, 4, 16, 17, 19, 32, 127) and how many structures it holds.
 * Without `bios` there is no type 0: a firmware image (`--bios`, reading the rest from fw_cfg)
 * describes itself, as SeaBIOS adds its own type 0 where QEMU's tables have none.
 */
export function smbiosStructures(m: SmbiosMachine, bios = true): { bytes: Uint8Array; count: number; largest: number } {
  const kib = Math.floor(m.ramBytes / 1024);
  const mhz = Math.round(m.cpuHz / 1e6);
  const family = m.quirks?.processorFamily ?? FAMILY[m.cpu];
  const list = [
    // Type 0 BIOS: vendor, version, start segment F000h, date, 64 KiB ROM; characteristics: ISA
    // (bit 4), PCI (7), APM (10), boot from CD (15), EDD (19), INT 09h keyboard (27), INT 14h
    // serial (28), INT 10h video (30); no extension bytes (no ACPI, no USB legacy).
    structure(0, 0x0000, [1, 2, ...w(0xf000), 3, 0, ...d((1 << 4) | (1 << 7) | (1 << 10) | (1 << 15) | (1 << 19) | (1 << 27) | (1 << 28) | (1 << 30)), ...d(0),
      0x00, 0x00, 0, 0, 0xff, 0xff], [BIOS_VENDOR, BIOS_VERSION, BIOS_DATE]),
  ].slice(bios ? 0 : 1).concat([
    // Type 1 system: no serial number, UUID all zeros (present, not set), woken by the power switch.
    structure(1, 0x0100, [1, 2, 3, 0, ...new Array(16).fill(0), 0x06, 0, 0], ['Bootscope', 'Standard PC (i440FX + PIIX, 1996)', '1']),
    // Type 3 chassis: "other", version 1, states safe, security unknown, no contained elements, no SKU.
    structure(3, 0x0300, [1, 0x01, 2, 0, 0, 0x03, 0x03, 0x03, 0x02, ...d(0), 0, 0, 0, 0, 0], ['Bootscope', '1']),
    // Type 4 processor: central, the model's family and CPUID signature and features, speeds from the virtual clock, populated and
    // enabled, no caches described; one core, one thread, characteristics unknown.
    structure(4, 0x0400, [1, 0x03, family, 2, ...d(m.processorId?.eax ?? 0), ...d(m.processorId?.edx ?? 0), 3, 0, ...w(0), ...w(mhz), ...w(mhz), 0x41, 0x01,
      ...w(0xffff), ...w(0xffff), ...w(0xffff), 0, 0, 0, 1, 1, 1, ...w(0x0002), ...w(family)], ['CPU 0', 'Bootscope', `Bootscope ${m.cpu}`]),
    // Type 16 physical memory array: system board, system memory, no error correction (the
    // capacity fits the 32-bit field: no extended capacity).
    structure(16, HANDLE_ARRAY, [m.quirks?.memoryArrayLocation ?? 0x03, 0x03, m.quirks?.memoryErrorCorrection ?? 0x03, ...d(kib), ...w(0xfffe), ...w(1), ...new Array(8).fill(0)], []),
    // Type 17 memory device: the guest RAM as one DIMM of RAM, size in MiB (KiB units below 1 MiB);
    // speeds, voltages and rank unknown.
    structure(17, HANDLE_DEVICE, [...w(HANDLE_ARRAY), ...w(0xfffe), ...w(0xffff), ...w(0xffff),
      ...w(kib >= 1024 ? kib >> 10 : 0x8000 | kib), 0x09, 0, 1, 0, 0x07, ...w(0x0002), ...w(0), 2, 0, 0, 0,
      0, ...d(0), ...w(0), ...w(0), ...w(0), ...w(0)], ['DIMM 0', 'Bootscope']),
    // Type 19 memory array mapped address: 0 to the top of RAM, in KiB (no extended addresses).
    structure(19, 0x1300, [...d(0), ...d(kib - 1), ...w(HANDLE_ARRAY), 1, ...new Array(16).fill(0)], []),
    // Type 32 system boot information: no errors detected.
    structure(32, 0x2000, [0, 0, 0, 0, 0, 0, 0], []),
    structure(127, 0x7f00, [], []),
  ]);
  const bytes = new Uint8Array(list.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of list) { bytes.set(s, at); at += s.length; }
  return { bytes, count: list.length, largest: Math.max(...list.map((s) => s.length)) };
}

/** Two's-complement checksum so the bytes sum to 0. */
function checksum(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += b[i];
  return (0x100 - (s & 0xff)) & 0xff;
}

/** Places the entry point and the structure table into the F000 ROM image. */
export function putSmbios(rom: Uint8Array, m: SmbiosMachine): void {
  const t = smbiosStructures(m);
  if (SMBIOS_TABLE + t.bytes.length > 0xe000) throw new Error('SMBIOS structures do not fit below F000:E000');
  rom.set(t.bytes, SMBIOS_TABLE);
  rom.set(smbiosEntryPoint(t, F_SEGMENT + SMBIOS_TABLE), SMBIOS_ENTRY);
}

/**
 * The 2.8 entry point ("_SM_", 31 bytes) of structure table `t` at physical `address`; with address
 * null (fw_cfg: the firmware places the table) the address and both checksums are 0, for the firmware
 * to fill in, as in QEMU's etc/smbios/smbios-anchor.
 */
export function smbiosEntryPoint(t: ReturnType<typeof smbiosStructures>, address: number | null): Uint8Array {
  const e = new Uint8Array(0x1f);
  e.set([0x5f, 0x53, 0x4d, 0x5f], 0); // _SM_
  e[5] = 0x1f;
  e[6] = 2; e[7] = 8;
  e.set(w(t.largest), 8);
  e.set([0x5f, 0x44, 0x4d, 0x49, 0x5f], 0x10); // _DMI_
  e.set(w(t.bytes.length), 0x16);
  e.set(w(t.count), 0x1c);
  e[0x1e] = 0x28;
  if (address === null) return e;
  e.set(d(address), 0x18);
  e[0x15] = checksum(e, 0x10, 0x1f);
  e[4] = checksum(e, 0, 0x1f);
  return e;
}
