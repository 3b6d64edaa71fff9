// @tier full
// The STI interrupt shadow lasts one instruction (SDM Vol. 3 §6.8.3): with IRQ 0 already pending,
// `sti; X; Y` takes the interrupt after X. A boot sector waits for the PIT's IRQ 0 in the PIC's IRR
// with IF clear, runs the sequence, and prints where the handler's IRET would return, relative to X's
// end, under Bootscope (`bootscope run`) and QEMU 7.2. Bootscope took it one instruction late (after
// Y) until the shadow was counted from the instruction opening it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuAvailable } from '../devices/portScript';

const program = (x: string, y: string) => `
  org 0x7c00
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7c00
  mov word [8 * 4], handler
  mov word [8 * 4 + 2], 0
  mov al, 0xfe                    ; IRQ 0 alone
  out 0x21, al
.irr:
  mov al, 0x0a                    ; OCW3: read the IRR
  out 0x20, al
  in al, 0x20
  test al, 1
  jz .irr
  sti
  ${x}
after_x:
  ${y}
  cli
  mov ax, [ret_ip]
  sub ax, after_x
  add al, '0'
  out 0xe9, al
  out 0xf4, al                    ; QEMU's isa-debug-exit
.h:
  hlt
  jmp .h
handler:
  push bp
  mov bp, sp
  mov ax, [bp + 2]
  mov [ret_ip], ax
  pop bp
  mov al, 0x20
  out 0x20, al
  iret
ret_ip: dw 0
  times 510 - ($ - $$) db 0
  dw 0xaa55
`;

const CASES: [string, string][] = [['nop', 'nop'], ['nop', 'pause'], ['mov bx, bx', 'inc cx'], ['push ax', 'pop ax']];

test('STI; X; Y with IRQ 0 pending: the interrupt comes after X, as under QEMU', { skip: !qemuAvailable() && 'qemu-system-i386 or nasm not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-shadow-'));
  try {
    for (const [x, y] of CASES) {
      const asm = join(dir, 'shadow.asm'), bin = join(dir, 'shadow.bin'), e9 = join(dir, 'qemu.e9');
      writeFileSync(asm, program(x, y));
      const nasm = spawnSync('nasm', ['-f', 'bin', '-o', bin, asm], { encoding: 'utf8' });
      assert.equal(nasm.status, 0, nasm.stderr);
      spawnSync('qemu-system-i386', ['-nodefaults', '-display', 'none', '-drive', `file=${bin},format=raw,if=floppy`, '-boot', 'a',
        '-debugcon', `file:${e9}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x01'], { timeout: 20000 });
      const qemu = readFileSync(e9, 'latin1');
      const r = spawnSync(process.execPath, ['dist/cli.js', 'run', bin, '--floppy', '--max', '2000000', '--json'], { encoding: 'utf8' });
      const ours = JSON.parse(r.stdout).debugText;
      assert.equal(qemu, '0', `sti; ${x}; ${y}: QEMU returns to ${qemu} past X's end`);
      assert.equal(ours, qemu, `sti; ${x}; ${y}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
