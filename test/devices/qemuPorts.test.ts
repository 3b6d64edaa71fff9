// Differential device tests against QEMU 7.2 + SeaBIOS 1.16 (skipped without qemu-system-i386 and
// nasm): each script of port accesses runs in QEMU and against PcDevices after programAsBios; every
// byte read must agree except where a mask says a bit depends on wall time or on a documented
// difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { PcDevices } from '../../emulator/devices/pcDevices';
import { compareRuns, inp, out, qemuAvailable, runOurs, runQemu, waitSet, type Step } from './portScript';

const SKIP = !qemuAvailable() && 'qemu-system-i386 or nasm not installed';

function ours(script: Step[]): number[] {
  const io = new IoBus();
  const dev = new PcDevices({ memory: new Memory({ ramSize: 64 << 20 }), io });
  dev.programAsBios(io);
  return runOurs(io, script);
}

/** Reads the 8042 output buffer once it is full. */
const kbcRead = (label: string): Step[] => [waitSet(0x64, 0x01), inp(0x60, label)];

const SCRIPTS: Record<string, Step[]> = {
  kbc: [
    out(0x64, 0xad), // keyboard off while we talk to the controller
    out(0x64, 0xaa), ...kbcRead('self-test'),
    inp(0x64, 'status after self-test', 0xfd),
    out(0x64, 0x20), ...kbcRead('command byte (keyboard disabled)'),
    out(0x64, 0xd0), ...kbcRead('output port'),
    out(0x64, 0xd1), out(0x60, 0xdd), inp(0x92, 'port 92h after D1 DD'),
    out(0x64, 0xd1), out(0x60, 0xdf), inp(0x92, 'port 92h after D1 DF'),
    out(0x64, 0xd0), ...kbcRead('output port with A20'),
    out(0x64, 0xab), ...kbcRead('keyboard interface test'),
    out(0x64, 0xd2), out(0x60, 0x5a), ...kbcRead('D2 echo'),
    out(0x64, 0xae),
    out(0x60, 0xee), ...kbcRead('keyboard echo'),
    out(0x60, 0xf2), ...kbcRead('identify ack'), ...kbcRead('identify 1'), ...kbcRead('identify 2'),
    out(0x60, 0xff), ...kbcRead('reset ack'), ...kbcRead('BAT'),
    inp(0x64, 'status at the end', 0xfd),
  ],
  aux: [
    out(0x64, 0xad),
    out(0x64, 0xa8), out(0x64, 0x20), ...kbcRead('command byte, mouse port on'),
    out(0x64, 0xa9), ...kbcRead('mouse interface test'),
    out(0x64, 0xd4), out(0x60, 0xf2), waitSet(0x64, 0x01), inp(0x64, 'status with mouse byte', 0xfd), inp(0x60, 'mouse ack'),
    ...kbcRead('mouse id'),
    out(0x64, 0xd4), out(0x60, 0xff), ...kbcRead('mouse reset ack'), ...kbcRead('mouse BAT'), ...kbcRead('mouse id after reset'),
    out(0x64, 0xd3), out(0x60, 0x77), waitSet(0x64, 0x01), inp(0x64, 'status with D3 byte', 0xfd), inp(0x60, 'D3 echo'),
    out(0x64, 0xa7), out(0x64, 0x20), ...kbcRead('command byte, mouse port off'),
    out(0x64, 0xae),
  ],
  uart: [
    inp(0x3f9, 'IER'), inp(0x3fa, 'IIR (FIFO off)'), inp(0x3fb, 'LCR'), inp(0x3fc, 'MCR'), inp(0x3fd, 'LSR'), inp(0x3fe, 'MSR', 0xf0),
    out(0x3fb, 0x80), out(0x3f8, 0x0c), out(0x3f9, 0x00), inp(0x3f8, 'DLL'), inp(0x3f9, 'DLM'),
    out(0x3fb, 0x03), inp(0x3fb, 'LCR 8N1'),
    out(0x3fa, 0x07), inp(0x3fa, 'IIR (FIFO on)'),
    out(0x3f9, 0x02), inp(0x3fa, 'IIR with THRE enabled'), inp(0x3fa, 'IIR after reading it'),
    out(0x3f9, 0x00),
    out(0x3ff, 0xa5), inp(0x3ff, 'SCR'),
    out(0x3fc, 0x10), out(0x3f8, 0x42), inp(0x3fd, 'LSR loopback byte', 0x61), inp(0x3f8, 'RBR loopback'), inp(0x3fd, 'LSR after read', 0x61),
    out(0x3fc, 0x1f), inp(0x3fe, 'MSR loopback', 0xf0),
    out(0x3fc, 0x00),
  ],
  pic: [
    out(0x20, 0x11), out(0x21, 0x20), out(0x21, 0x04), out(0x21, 0x01),
    out(0xa0, 0x11), out(0xa1, 0x28), out(0xa1, 0x02), out(0xa1, 0x01),
    out(0x21, 0xfb), out(0xa1, 0xff),
    inp(0x21, 'master IMR'), inp(0xa1, 'slave IMR'),
    out(0x20, 0x0b), inp(0x20, 'master ISR'), out(0x20, 0x0a), inp(0x20, 'master IRR', 0xfe),
    inp(0x4d0, 'ELCR 1'), inp(0x4d1, 'ELCR 2'),
  ],
  pit: [
    out(0x43, 0xb0), out(0x42, 0x34), out(0x42, 0x12),
    out(0x43, 0xe8), inp(0x42, 'ch2 status (mode 0, lo/hi)', 0x3f),
    out(0x43, 0x94), out(0x42, 0x77),
    out(0x43, 0xe8), inp(0x42, 'ch2 status (mode 2, lo)', 0x3f),
    out(0x43, 0x36), out(0x40, 0x00), out(0x40, 0x00),
    out(0x43, 0xe2), inp(0x40, 'ch0 status (mode 3)', 0x3f),
    inp(0x43, 'control register read'),
  ],
  // GRUB's TSC calibration (grub_pit_wait): channel 2 in mode 0, gate through port 61h, poll OUT2.
  speaker: [
    inp(0x61, 'port 61h at boot (OUT2 of the power-on mode 3 depends on wall time in QEMU)', 0xcf),
    out(0x61, 0x00), out(0x43, 0xb0), out(0x42, 0xff), out(0x42, 0xff),
    inp(0x61, 'OUT2 low after the count is written', 0xef),
    out(0x61, 0x01), inp(0x61, 'gate up', 0xef),
    waitSet(0x61, 0x20), inp(0x61, 'OUT2 high after the count', 0xef),
    out(0x43, 0xe8), inp(0x42, 'ch2 status after terminal count', 0xbf),
    out(0x61, 0x00),
  ],
  cmos: [
    out(0x70, 0x0a), inp(0x71, 'register A', 0x7f), out(0x70, 0x0b), inp(0x71, 'register B'), out(0x70, 0x0d), inp(0x71, 'register D'),
    out(0x70, 0x40), out(0x71, 0x5a), out(0x70, 0x40), inp(0x71, 'NVRAM 40h'),
    inp(0x70, 'index port after selecting 40h'), out(0x70, 0x8f), inp(0x70, 'index port with NMI masked'), out(0x70, 0x0f),
    out(0x70, 0x0b), out(0x71, 0x06), out(0x70, 0x0b), inp(0x71, 'register B binary'),
    out(0x70, 0x0b), out(0x71, 0x02),
  ],
  vga: [
    out(0x3d4, 0x0e), out(0x3d5, 0x01), out(0x3d4, 0x0f), out(0x3d5, 0x23),
    out(0x3d4, 0x0e), inp(0x3d5, 'cursor high'), out(0x3d4, 0x0f), inp(0x3d5, 'cursor low'),
    out(0x3d4, 0x0a), inp(0x3d5, 'cursor start', 0x1f), out(0x3d4, 0x0b), inp(0x3d5, 'cursor end', 0x1f),
    inp(0x3cc, 'misc output'),
    out(0x3c8, 0x10), out(0x3c9, 0x3f), out(0x3c9, 0x01), out(0x3c9, 0x20),
    out(0x3c7, 0x10), inp(0x3c9, 'DAC red'), inp(0x3c9, 'DAC green'), inp(0x3c9, 'DAC blue'),
    out(0x3c4, 0x04), inp(0x3c5, 'sequencer memory mode'),
    out(0x3ce, 0x06), inp(0x3cf, 'graphics misc'),
    out(0x3d4, 0x0e), out(0x3d5, 0x00), out(0x3d4, 0x0f), out(0x3d5, 0x00),
  ],
};

for (const [name, script] of Object.entries(SCRIPTS)) {
  test(`port behaviour agrees with QEMU: ${name}`, { skip: SKIP }, () => {
    // The reference trace runs QEMU with -nodefaults (no VGA at all); the VGA script needs -vga std.
    // QEMU's clock follows its instruction count (-icount), not the host's: on a loaded host the
    // speaker script's 55 ms count could otherwise end between its OUT and the next IN.
    const q = runQemu(`ports-${name}`, script, ['-icount', 'shift=7,sleep=off', ...(name === 'vga' ? ['-vga', 'std'] : [])]);
    assert.deepEqual(compareRuns(script, q, ours(script)), []);
  });
}
