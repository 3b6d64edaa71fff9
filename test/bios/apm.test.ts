// APM (INT 15h AX=53xxh) and the power-off it leads to: the real-mode functions, the 32-bit
// protected-mode entry a 5303h connect hands out (real x86 code in the ROM), and the PIIX4 PM1a
// control register both write, which ends the run with `poweroff` for good; the PM registers follow
// the ACPI function's PMBA and PMIOSE, the PM timer counts device time at 3.579545 MHz, and a
// snapshot taken before the power-off brings the machine back on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IoBus } from '../../emulator/devices/ioBus';
import { Memory } from '../../emulator/memory/bus';
import { PcDevices } from '../../emulator/devices/pcDevices';
import { DEVFN_ACPI } from '../../emulator/devices/i440fx';
import { ENTRY_APM32 } from '../../emulator/bios/layout';
import { runProgram } from './harness';

const HALT = '\n  cli\n  hlt\n';

test('APM real-mode interface: installation check, connects, version, status; set power state off powers off', () => {
  const r = runProgram(`
  mov ax, 0x5300
  xor bx, bx
  int 0x15
  jc .bad
  call puthex16
  mov ax, bx
  call puthex16
  mov ax, cx
  call puthex16
  PUTC ' '
  mov ax, 0x5302
  xor bx, bx
  int 0x15
  jnc .bad
  mov al, ah
  call puthex8
  PUTC ' '
  mov ax, 0x5303
  xor bx, bx
  int 0x15
  jc .bad
  call puthex16
  mov eax, ebx
  call puthex32
  PUTC ' '
  mov ax, 0x530e
  xor bx, bx
  mov cx, 0x0101
  int 0x15
  call puthex16
  PUTC ' '
  mov ax, 0x5307
  mov bx, 1
  mov cx, 1
  int 0x15
  jc .bad
  mov ax, 0x5307
  mov bx, 1
  mov cx, 3
  int 0x15
  PUTC '!'
.bad:
  PUTC '?'${HALT}`);
  assert.equal(r.out, `0102504D0002 06 F000${ENTRY_APM32.toString(16).toUpperCase().padStart(8, '0')} 0101 `);
  assert.equal(r.stop.reason, 'poweroff');
  assert.match(r.stop.detail!, /switched the machine off/);
  assert.deepEqual(r.bios.log, []);
  // Off is off: running again changes nothing.
  const n = r.m.cpu.icount;
  assert.equal(r.m.run({ maxInstructions: 1000 }).reason, 'poweroff');
  assert.equal(r.m.cpu.icount, n);
});

test('APM 32-bit protected-mode entry: a far call with AX=5307h BX=1 CX=3 powers off; other calls return', () => {
  const r = runProgram(`
  cli
  mov ax, 0x5303
  xor bx, bx
  int 0x15
  mov [entry], ebx
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp 0x08:pm
bits 32
pm:
  mov ax, 0x18
  mov ds, ax
  mov ss, ax
  mov esp, 0x7000
  mov ax, 0x5306
  call far [fptr]
  jc .bad
  out 0xe9, al
  mov ax, 0x530a
  call far [fptr]
  jnc .bad
  mov al, ah
  out 0xe9, al
  mov ax, 0x5307
  mov bx, 1
  mov cx, 3
  call far [fptr]
.bad:
  mov al, '?'
  out 0xe9, al
  cli
  hlt
fptr:
entry: dd 0
  dw 0x10
gdtr: dw 31
  dd gdt
align 8
gdt: dq 0
  dq 0x00cf9a000000ffff
  dq 0x00cf9a0f0000ffff
  dq 0x00cf92000000ffff
bits 16`);
  assert.deepEqual([...r.out].map((c) => c.charCodeAt(0)), [0x06, 0x86]);
  assert.equal(r.stop.reason, 'poweroff');
});

function pm() {
  const io = new IoBus();
  const dev = new PcDevices({ memory: new Memory({ ramSize: 16 << 20 }), io });
  const cfg = (off: number, v: number) => { io.out32(0xcf8, 0x80000000 | (DEVFN_ACPI << 8) | off); io.out32(0xcfc, v); };
  return { io, dev, cfg };
}

test('PM registers: decoded where PMBA says once PMIOSE is set; the PM timer counts 3.579545 MHz of device time', () => {
  const { io, dev, cfg } = pm();
  assert.equal(io.in32(0x608), 0xffffffff, 'power-on: PMIOSE clear, nothing at 600h');
  cfg(0x40, 0xb001);
  cfg(0x80, 0x01);
  assert.equal(io.in16(0xb004), 0);
  const t0 = io.in32(0xb008);
  dev.clock.now = dev.clock.instructionsPerSecond; // one second later
  const t1 = io.in32(0xb008);
  assert.equal((t1 - t0) & 0xffffff, 3_579_545 & 0xffffff);
  assert.ok(t1 <= 0xffffff, '24-bit counter');
  io.out16(0xb004, 0x0401 | (1 << 10)); // SCI_EN with sleep type 1 but no SLP_EN
  assert.equal(io.in16(0xb004), 0x0401 | (1 << 10));
  io.out16(0xb004, 0x2000 | (5 << 10)); // SLP_EN with a sleep type that is not soft off
  assert.equal(dev.pm!.poweredOff, false);
  cfg(0x80, 0x00);
  io.out16(0xb004, 0x2000);
  assert.equal(dev.pm!.poweredOff, false, 'PMIOSE clear: the write goes nowhere');
  cfg(0x80, 0x01);
  let calls = 0;
  dev.onPowerOff = () => calls++;
  const snap = dev.saveState();
  io.out16(0xb004, 0x2000);
  assert.equal(dev.pm!.poweredOff, true);
  assert.equal(calls, 1);
  dev.loadState(snap);
  assert.equal(dev.pm!.poweredOff, false, 'a snapshot from before the power-off is a machine that is on');
  assert.equal(io.in16(0xb004), 5 << 10, 'and its registers are decoded again at B000h (SLP_EN reads as 0)');
});
