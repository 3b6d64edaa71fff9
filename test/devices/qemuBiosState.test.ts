// Differential check of PcDevices.programAsBios against QEMU + SeaBIOS (skipped without
// qemu-system-i386 and nasm): a probe boot sector reads the device registers a boot sector inherits
// and prints them; the same reads against our devices must give the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { PcDevices } from '../../emulator/devices/pcDevices';
import { assembleProbe } from './portScript';

const have = (t: string) => spawnSync('bash', ['-c', `command -v ${t}`]).status === 0;
const OK = have('qemu-system-i386') && have('nasm');
const DIR = join('test', '.out', 'probe');
const CMOS_REGS = [0x0a, 0x0b, 0x0d, 0x0f, 0x10, 0x12, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x30, 0x31, 0x32, 0x34, 0x35];
const NAMES = ['IMR master', 'IMR slave', 'port 92h', 'port 61h', 'COM1 IER', 'COM1 LCR', 'COM1 MCR', '8042 status', '8042 command byte',
  'PIT ch0 status', 'PIC ISR', ...CMOS_REGS.map((r) => `CMOS ${r.toString(16)}h`)];
/**
 * Bits not comparable: port 61h bits 4–5 (refresh toggle and channel 2 OUT, which in QEMU keeps
 * running in mode 3 with the gate low: both depend on wall time), PIT status bit 7 (QEMU's mode 2
 * OUT is inverted relative to the datasheet).
 */
const MASK: Record<number, number> = { 3: 0xcf, 9: 0x7f };

/** The probe's reads, against our devices. */
function ours(): number[] {
  const io = new IoBus();
  const dev = new PcDevices({ memory: new Memory({ ramSize: 64 << 20 }), io });
  dev.programAsBios(io);
  const v = [io.in8(0x21), io.in8(0xa1), io.in8(0x92), io.in8(0x61), io.in8(0x3f9), io.in8(0x3fb), io.in8(0x3fc), io.in8(0x64)];
  io.out8(0x64, 0x20);
  v.push(io.in8(0x60));
  io.out8(0x43, 0xe2);
  v.push(io.in8(0x40));
  io.out8(0x20, 0x0b);
  v.push(io.in8(0x20));
  for (const r of CMOS_REGS) {
    io.out8(0x70, r);
    v.push(io.in8(0x71));
  }
  return v;
}

test('programAsBios matches the device state SeaBIOS leaves under QEMU', { skip: !OK && 'qemu-system-i386 or nasm not installed' }, () => {
  mkdirSync(DIR, { recursive: true });
  const bin = join(DIR, 'biosStateProbe.bin');
  assembleProbe('test/devices/fixtures/biosStateProbe.asm', bin);
  const img = new Uint8Array(3 << 20);
  img.set(readFileSync(bin));
  img[510] = 0x55;
  img[511] = 0xaa;
  const path = join(DIR, 'biosStateProbe.img');
  writeFileSync(path, img);
  const log = `${path}.serial`;
  rmSync(log, { force: true });
  spawnSync('qemu-system-i386', [
    '-nodefaults', '-display', 'none', '-m', '64', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01',
    '-drive', `file=${path},format=raw,if=ide,snapshot=on`, '-serial', `file:${log}`,
  ], { timeout: 20000 });
  const text = existsSync(log) ? readFileSync(log, 'latin1').trim() : '';
  const qemu = text.split(/\s+/).filter(Boolean).map((w) => parseInt(w, 16));
  assert.equal(qemu.length, NAMES.length, `probe output: ${JSON.stringify(text)}`);
  const mine = ours();
  const diff = NAMES.flatMap((name, i) => {
    const m = MASK[i] ?? 0xff;
    return (qemu[i] & m) === (mine[i] & m) ? [] : [`${name}: QEMU ${qemu[i].toString(16)}, ours ${mine[i].toString(16)}`];
  });
  assert.deepEqual(diff, []);
});
