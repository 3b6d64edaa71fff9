// The ACPI tables fw_cfg hands to firmware (acpiTables.ts), placed as SeaBIOS's table loader places
// them (allocate, add pointers, checksums; QEMU's command format read here independently): every
// checksum sums to 0, the RSDP finds the RSDT, the RSDT the FADT, the FADT the FACS and DSDT, and
// the FADT's PM registers are where the PIIX4 function decodes them once the chipset is set up as
// SeaBIOS sets it (a PM timer that counts at 3.579545 MHz). With Debian's iasl (acpica-tools) the
// DSDT disassembles without errors into the devices the machine has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACPI_RSDP_FILE, ACPI_TABLES_FILE, acpiFiles } from '../../emulator/devices/acpiTables';
import { Memory } from '../../emulator/memory/bus';
import { IoBus } from '../../emulator/devices/ioBus';
import { PcDevices } from '../../emulator/devices/pcDevices';
import { PM_TIMER_HZ } from '../../emulator/devices/acpiPm';

const cstr = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\0.*$/s, '');
const sum = (b: Uint8Array) => b.reduce((s, x) => (s + x) & 0xff, 0);

/** Runs the loader's commands over copies of the files; returns each file at its (made-up) address. */
function load() {
  const f = acpiFiles();
  const files = new Map<string, { data: Uint8Array; address: number }>();
  const content: Record<string, Uint8Array> = { [ACPI_TABLES_FILE]: f.tables, [ACPI_RSDP_FILE]: f.rsdp };
  const zones = { 1: 0x3fe0000, 2: 0xf6000 } as Record<number, number>;
  const v = new DataView(f.loader.buffer);
  const kinds: number[] = [];
  for (let at = 0; at < f.loader.length; at += 128) {
    const kind = v.getUint32(at, true);
    if (kind === 0) continue;
    kinds.push(kind);
    const name = cstr(f.loader.subarray(at + 4, at + 60));
    if (kind === 1) {
      const align = v.getUint32(at + 60, true), zone = f.loader[at + 64];
      assert.ok(align >= 16 && (zones[zone] % align) === 0, `${name}: zone ${zone} aligned to ${align}`);
      files.set(name, { data: content[name].slice(), address: zones[zone] });
    } else if (kind === 2) {
      const dest = files.get(name)!.data, src = files.get(cstr(f.loader.subarray(at + 60, at + 116)))!;
      const offset = v.getUint32(at + 116, true), size = f.loader[at + 120];
      assert.equal(size, 4);
      const d = new DataView(dest.buffer);
      d.setUint32(offset, d.getUint32(offset, true) + src.address, true);
    } else if (kind === 3) {
      const data = files.get(name)!.data;
      const offset = v.getUint32(at + 60, true), start = v.getUint32(at + 64, true), length = v.getUint32(at + 68, true);
      data[offset] = (data[offset] - sum(data.subarray(start, start + length))) & 0xff;
    } else assert.fail(`unknown loader command ${kind}`);
  }
  return { files, kinds };
}

/** The table at physical `address` in the loaded tables file. */
function at(files: ReturnType<typeof load>['files'], address: number): Uint8Array {
  const t = files.get(ACPI_TABLES_FILE)!;
  const off = address - t.address;
  const length = new DataView(t.data.buffer).getUint32(off + 4, true);
  return t.data.subarray(off, off + length);
}

test('the loader places RSDP → RSDT → FADT → FACS and DSDT, every checksum 0', () => {
  const { files, kinds } = load();
  assert.deepEqual(kinds.slice(0, 2), [1, 1], 'both files allocated first');
  const rsdp = files.get(ACPI_RSDP_FILE)!.data;
  assert.equal(cstr(rsdp.subarray(0, 8)), 'RSD PTR ');
  assert.equal(sum(rsdp), 0);
  assert.equal(files.get(ACPI_RSDP_FILE)!.address, 0xf6000, 'the RSDP in the F segment, where OSes scan');
  const rsdt = at(files, new DataView(rsdp.buffer).getUint32(16, true));
  assert.equal(cstr(rsdt.subarray(0, 4)), 'RSDT');
  assert.equal(sum(rsdt), 0);
  const tables = Array.from({ length: (rsdt.length - 36) / 4 }, (_, i) => at(files, new DataView(rsdt.buffer, rsdt.byteOffset).getUint32(36 + 4 * i, true)));
  assert.deepEqual(tables.map((t) => cstr(t.subarray(0, 4))), ['FACP'], 'no MADT: the machine has no APIC');
  const fadt = tables[0], fv = new DataView(fadt.buffer, fadt.byteOffset);
  assert.equal(fadt.length, 116);
  assert.equal(sum(fadt), 0);
  const facsAt = fv.getUint32(36, true);
  assert.equal(facsAt % 64, 0, 'FACS 64-byte aligned');
  assert.equal(cstr(at(files, facsAt).subarray(0, 4)), 'FACS');
  const dsdt = at(files, fv.getUint32(40, true));
  assert.equal(cstr(dsdt.subarray(0, 4)), 'DSDT');
  assert.equal(sum(dsdt), 0);
  assert.equal(fv.getUint16(46, true), 9, 'SCI on IRQ 9');
  assert.equal(fv.getUint32(48, true), 0, 'no SMI command port: always in ACPI mode');
});

test("the FADT's PM timer is the PIIX4 function's, counting at 3.579545 MHz where SeaBIOS's setup puts it", () => {
  const { files } = load();
  const rsdp = files.get(ACPI_RSDP_FILE)!.data;
  const rsdt = at(files, new DataView(rsdp.buffer).getUint32(16, true));
  const fadt = at(files, new DataView(rsdt.buffer, rsdt.byteOffset).getUint32(36, true));
  const fv = new DataView(fadt.buffer, fadt.byteOffset);
  const timer = fv.getUint32(76, true), pm1aCnt = fv.getUint32(64, true);
  const memory = new Memory({ ramSize: 1 << 20 });
  const io = new IoBus();
  let now = 0;
  const devices = new PcDevices({ memory, io, instructionCounter: () => now });
  devices.programAsBios(io);
  const t0 = io.in32(timer);
  now += devices.clock.instructionsPerSecond;
  const ticks = (io.in32(timer) - t0) & 0xffffff;
  assert.ok(Math.abs(ticks - PM_TIMER_HZ % 0x1000000) < 4, `${ticks} ticks in a second`);
  io.out16(pm1aCnt, 0x2000); // SLP_EN with \_S5's SLP_TYP 0
  assert.equal(devices.pm!.poweredOff, true, 'PM1a_CNT powers off with \\_S5');
});

test('iasl disassembles the DSDT: PCI0, the ISA devices (keyboard, floppy, COM1, RTC) and \\_S5', { skip: spawnSync('iasl', ['-v']).error ? 'iasl not installed (Debian package acpica-tools)' : false }, () => {
  const { files } = load();
  const rsdp = files.get(ACPI_RSDP_FILE)!.data;
  const rsdt = at(files, new DataView(rsdp.buffer).getUint32(16, true));
  const fadt = at(files, new DataView(rsdt.buffer, rsdt.byteOffset).getUint32(36, true));
  const dsdt = at(files, new DataView(fadt.buffer, fadt.byteOffset).getUint32(40, true));
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-dsdt-'));
  writeFileSync(join(dir, 'dsdt.dat'), dsdt);
  const r = spawnSync('iasl', ['-d', join(dir, 'dsdt.dat')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const asl = readFileSync(join(dir, 'dsdt.dsl'), 'utf8');
  assert.doesNotMatch(asl, /Incorrect checksum|Error/i);
  for (const id of ['PNP0A03', 'PNP0303', 'PNP0700', 'PNP0501', 'PNP0B00']) assert.match(asl, new RegExp(`EisaId \\("${id}"\\)`));
  assert.match(asl, /IO \(Decode16,\s+0x03F8,/);
  assert.match(asl, /Name \(_S5, Package \(0x04\)[^{]*\{\s+Zero,\s+Zero,/);
});
