// The ACPI tables of this machine as QEMU's fw_cfg hands them to firmware: the files etc/acpi/tables
// (FACS, DSDT, FADT, RSDT), etc/acpi/rsdp and etc/table-loader, the commands with which SeaBIOS
// places them (allocate each file in a memory zone, add a file's final address to a pointer in
// another, recompute a checksum). They describe what the machine has and nothing more: the i440FX
// host bridge with the PIIX3's ISA devices (8042 keyboard, floppy controller, COM1, RTC), no APIC
// (interrupts through the 8259 pair), the PIIX4 PM registers at ACPI_PMBA with the 24-bit PM timer,
// SCI on IRQ 9, no SMI command port (always in ACPI mode), soft off as sleep type 0 (\_S5), which is
// what acpiPm.ts does with SLP_EN. SeaBIOS reads the DSDT too: without a PNP0303 device it would not
// set up the PS/2 keyboard.
// Pure TypeScript: no Node or VS Code imports. ACPI 1.0b §5.2 (RSDP, RSDT, FADT, FACS, DSDT), §6.4
// (resource descriptors), §16 (AML encoding); QEMU docs/specs/fw_cfg.rst and its BIOS linker/loader
// command format (128-byte entries).

import { ACPI_PMBA } from './i440fx';
import { FDC_BASE, FDC_DMA, FDC_IRQ } from './fdc';
import { CMOS_CENTURY } from './cmos';

/** The fw_cfg file names, as QEMU's pc machine names them. */
export const ACPI_TABLES_FILE = 'etc/acpi/tables', ACPI_RSDP_FILE = 'etc/acpi/rsdp', TABLE_LOADER_FILE = 'etc/table-loader';
/**
 * etc/acpi/tables and etc/table-loader are padded to QEMU's sizes (128 KiB and 4 KiB, which QEMU
 * keeps fixed for migration), so SeaBIOS reserves as much high memory and walks as many commands.
 */
const TABLES_FILE_BYTES = 0x20000, LOADER_FILE_BYTES = 0x1000;
/** Loader commands and zones. */
const ALLOCATE = 1, ADD_POINTER = 2, ADD_CHECKSUM = 3, ZONE_HIGH = 1, ZONE_FSEG = 2;
const COMMAND_BYTES = 128, FILE_NAME_BYTES = 56;
/** Who made the tables (header OEM ID, OEM table ID, creator). */
const OEM_ID = 'BOOTSC', OEM_TABLE_ID = 'BOOTSCOP', CREATOR_ID = 'BTSC';
const HEADER_BYTES = 36, CHECKSUM_AT = 9;
/** PIIX4 PM register blocks within PMBA: PM1a event (status, enable), PM1a control, PM timer. */
const PM1A_EVT = 0x00, PM1A_CNT = 0x04, PM_TMR = 0x08;
/** The PIIX4's SCI is routed to IRQ 9. */
const SCI_IRQ = 9;
/** FADT flags: WBINVD works, C1 supported, no fixed power or sleep button. */
const FADT_WBINVD = 1 << 0, FADT_PROC_C1 = 1 << 2, FADT_PWR_BUTTON = 1 << 4, FADT_SLP_BUTTON = 1 << 5;
/** C2/C3 latencies above 100/1000 µs say the state is not supported. */
const NO_C2 = 101, NO_C3 = 1001;

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const le = (v: number, n: number) => Array.from({ length: n }, (_, i) => Math.floor(v / 2 ** (8 * i)) & 0xff);

// --- AML (ACPI §16.2) --------------------------------------------------------------------------

/** PkgLength: the length of what follows plus its own bytes (1 to 4). */
function pkg(body: number[]): number[] {
  for (let n = 1; n <= 4; n++) {
    const total = body.length + n;
    if (n === 1 && total < 0x40) return [total, ...body];
    if (n > 1 && total < 2 ** (4 + 8 * (n - 1))) {
      const rest = Array.from({ length: n - 1 }, (_, i) => (total >>> (4 + 8 * i)) & 0xff);
      return [((n - 1) << 6) | (total & 0x0f), ...rest, ...body];
    }
  }
  throw new Error('AML package too long');
}

/** A NameSeg, padded with '_'. */
const seg = (name: string) => ascii(name.padEnd(4, '_'));
/** An integer as the shortest data object (DSDT revision 1: 32 bits). */
function int(v: number): number[] {
  if (v === 0 || v === 1) return [v];
  if (v <= 0xff) return [0x0a, v];
  if (v <= 0xffff) return [0x0b, ...le(v, 2)];
  return [0x0c, ...le(v, 4)];
}
const name = (n: string, value: number[]) => [0x08, ...seg(n), ...value];
const device = (n: string, body: number[]) => [0x5b, 0x82, ...pkg([...seg(n), ...body])];
const scope = (path: number[], body: number[]) => [0x10, ...pkg([...path, ...body])];
const packageOf = (items: number[][]) => [0x12, ...pkg([items.length, ...items.flat()])];
const buffer = (bytes: number[]) => [0x11, ...pkg([...int(bytes.length), ...bytes])];

/** EISAID("PNPxxxx"): the compressed vendor letters and the product number, as a DWord. */
function eisaId(id: string): number[] {
  const c = (i: number) => id.charCodeAt(i) & 0x1f;
  const vendor = (c(0) << 10) | (c(1) << 5) | c(2);
  const product = parseInt(id.slice(3), 16);
  return [0x0c, vendor >> 8, vendor & 0xff, product >> 8, product & 0xff];
}

// Small resource descriptors (§6.4.2) and a ResourceTemplate's buffer ending in an End Tag (checksum 0: none).
const io = (port: number, length: number) => [0x47, 0x01, ...le(port, 2), ...le(port, 2), 0x01, length];
const irq = (line: number) => [0x22, ...le(1 << line, 2)];
const dma8 = (channel: number) => [0x2a, 1 << channel, 0x00];
const resources = (...items: number[][]) => buffer([...items.flat(), 0x79, 0x00]);

/** An ISA device with its PnP ID and resources. */
const isaDevice = (n: string, pnp: string, crs: number[][], extra: number[] = []) =>
  device(n, [...name('_HID', eisaId(pnp)), ...extra, ...name('_CRS', resources(...crs))]);

/** The DSDT's AML: \_SB.PCI0 with the ISA bridge's devices, and \_S5 (soft off, SLP_TYP 0). */
function dsdtAml(): number[] {
  const isa = device('ISA', [
    ...name('_ADR', int(0x00010000)),
    ...isaDevice('KBD', 'PNP0303', [io(0x60, 1), io(0x64, 1), irq(1)]),
    ...isaDevice('FDC0', 'PNP0700', [io(FDC_BASE + 2, 4), io(FDC_BASE + 7, 1), irq(FDC_IRQ), dma8(FDC_DMA)]),
    ...isaDevice('COM1', 'PNP0501', [io(0x3f8, 8), irq(4)], name('_UID', int(1))),
    ...isaDevice('RTC', 'PNP0B00', [io(0x70, 2), irq(8)]),
  ]);
  const pci0 = device('PCI0', [...name('_HID', eisaId('PNP0A03')), ...name('_ADR', int(0)), ...name('_UID', int(0)), ...isa]);
  return [...scope([0x5c, ...seg('_SB')], pci0), ...name('_S5', packageOf([int(0), int(0), int(0), int(0)]))];
}

// --- Tables (ACPI 1.0b §5.2) -------------------------------------------------------------------

/** A table: the standard header (checksum 0: the loader computes it) and its body. */
function table(signature: string, revision: number, body: number[]): number[] {
  const length = HEADER_BYTES + body.length;
  return [...ascii(signature), ...le(length, 4), revision, 0, ...ascii(OEM_ID), ...ascii(OEM_TABLE_ID), ...le(1, 4),
    ...ascii(CREATOR_ID), ...le(1, 4), ...body];
}

/** FADT (revision 1, 116 bytes); FIRMWARE_CTRL and DSDT are offsets in etc/acpi/tables until the loader adds its address. */
function fadt(facs: number, dsdt: number): number[] {
  const pm = ACPI_PMBA;
  return table('FACP', 1, [
    ...le(facs, 4), ...le(dsdt, 4), 0, 0, ...le(SCI_IRQ, 2),
    ...le(0, 4), 0, 0, 0, 0, // SMI_CMD 0: no mode transition, ACPI_ENABLE, ACPI_DISABLE, S4BIOS_REQ, reserved
    ...le(pm + PM1A_EVT, 4), ...le(0, 4), ...le(pm + PM1A_CNT, 4), ...le(0, 4), ...le(0, 4), ...le(pm + PM_TMR, 4),
    ...le(0, 4), ...le(0, 4), // no GPE blocks
    4, 2, 0, 4, 0, 0, 0, 0, // PM1_EVT_LEN, PM1_CNT_LEN, PM2_CNT_LEN, PM_TM_LEN, GPE0/1 lengths and base, reserved
    ...le(NO_C2, 2), ...le(NO_C3, 2), ...le(0, 2), ...le(0, 2), 0, 0, // no flush, no duty cycle
    0, 0, CMOS_CENTURY, 0, 0, 0, // no day or month alarm, the century's CMOS index, reserved
    ...le(FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON, 4),
  ]);
}

/** FACS (64 bytes, 64-byte aligned): no hardware signature, no waking vector, no global lock. */
const facsTable = () => [...ascii('FACS'), ...le(64, 4), ...new Array(56).fill(0)];

export interface AcpiFiles {
  tables: Uint8Array;
  rsdp: Uint8Array;
  loader: Uint8Array;
}

/** A loader command entry. */
function command(kind: number, fields: number[]): number[] {
  return [...le(kind, 4), ...fields, ...new Array(COMMAND_BYTES - 4 - fields.length).fill(0)];
}
const fileName = (n: string) => [...ascii(n), ...new Array(FILE_NAME_BYTES - n.length).fill(0)];
const allocate = (file: string, align: number, zone: number) => command(ALLOCATE, [...fileName(file), ...le(align, 4), zone]);
const addPointer = (dest: string, src: string, offset: number, size: number) =>
  command(ADD_POINTER, [...fileName(dest), ...fileName(src), ...le(offset, 4), size]);
const addChecksum = (file: string, start: number, length: number) =>
  command(ADD_CHECKSUM, [...fileName(file), ...le(start + CHECKSUM_AT, 4), ...le(start, 4), ...le(length, 4)]);

/** The three fw_cfg files: the tables at offsets FACS 0, DSDT, FADT, RSDT; the RSDP; the loader's commands. */
export function acpiFiles(): AcpiFiles {
  const blob: number[] = [];
  const place = (t: number[]) => { const at = blob.length; blob.push(...t); return { at, length: t.length }; };
  const facs = place(facsTable());
  const dsdt = place(table('DSDT', 1, dsdtAml()));
  const facp = place(fadt(facs.at, dsdt.at));
  const rsdt = place(table('RSDT', 1, le(facp.at, 4)));
  const FADT_FIRMWARE_CTRL = HEADER_BYTES, FADT_DSDT = HEADER_BYTES + 4;
  const rsdp = [...ascii('RSD PTR '), 0, ...ascii(OEM_ID), 0, ...le(rsdt.at, 4)];
  const T = ACPI_TABLES_FILE, R = ACPI_RSDP_FILE;
  const commands = [
    allocate(R, 16, ZONE_FSEG),
    allocate(T, 64, ZONE_HIGH),
    addChecksum(T, dsdt.at, dsdt.length),
    addPointer(T, T, facp.at + FADT_FIRMWARE_CTRL, 4),
    addPointer(T, T, facp.at + FADT_DSDT, 4),
    addChecksum(T, facp.at, facp.length),
    addPointer(T, T, rsdt.at + HEADER_BYTES, 4),
    addChecksum(T, rsdt.at, rsdt.length),
    addPointer(R, T, 16, 4),
    command(ADD_CHECKSUM, [...fileName(R), ...le(8, 4), ...le(0, 4), ...le(rsdp.length, 4)]),
  ].flat();
  if (blob.length > TABLES_FILE_BYTES || commands.length > LOADER_FILE_BYTES) throw new Error('ACPI tables outgrew their fw_cfg files');
  const tables = new Uint8Array(TABLES_FILE_BYTES);
  tables.set(blob);
  const loader = new Uint8Array(LOADER_FILE_BYTES);
  loader.set(commands);
  return { tables, rsdp: Uint8Array.from(rsdp), loader };
}
