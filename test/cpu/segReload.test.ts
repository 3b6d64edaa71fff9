// A segment reload known to change nothing is skipped (protected/loadMemo.ts reloadable), by the
// interpreter and by compiled blocks alike. A loop that reloads ES and FS and far-jumps within its CS
// changes, round by round, what those reloads depend on: the descriptor's bytes, its accessed bit,
// its present bit (#NP), the GDT (LGDT), under paging the GDT page's frame (with and without
// INVLPG), and FS's register (an interrupt handler loads another selector into it). Blocks must
// leave every register, the accessed bit in memory and each fault as the interpreter does, compared
// after slices of 1-40 instructions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cpu } from '../../emulator/cpu/cpu';
import { runCpu } from '../../emulator/cpu/execute';
import { CR0_PG, ESP } from '../../emulator/cpu/regs';
import { rng, setup } from '../pm/fuzzSetup';
import { blocks, state } from './jitState';
import { hex } from '../../protocol/format';

const LOOP = `
        bits 32
        org 0x8000
        mov esp, 0x7000
        mov ecx, 300
l:      mov eax, ecx
        and eax, 7
        cmp al, 7
        jne s7
        lgdt [gdt_alt]             ; the same selector in another table
s7:     cmp al, 6
        jne s6
        int 0x40                   ; the handler loads FS with 38h
        xor ebx, ebx
        mov fs, bx                 ; a null selector: FS unusable until the next load
        mov bx, 0x38
        mov fs, bx                 ; 38h again, as before the null one
        mov ebx, [fs:0x10]
s6:     cmp al, 5
        jne s5
        lgdt [gdt_main]
s5:     cmp al, 4
        jne s4
%ifdef PAGING
        xor dword [0x41004], 0x4000 ; the GDT page (linear 1000h) moves to frame 5000h or back,
        and dword [0x41004], ~0x40 ; dirty clear: a store there walks again (and replaces the frame)
        test cl, 8
        jz s4
        invlpg [0x1000]            ; every other time: without INVLPG the TLB keeps the old frame
%endif
s4:     cmp al, 3
        jne s3
        and byte [0x1035], 0x7f    ; not present: the next load is #NP, whose handler sets P
s3:     cmp al, 2
        jne s2
        and byte [0x1035], 0xfe    ; accessed bit cleared: the next load sets it again
s2:     cmp al, 1
        jne s1
        xor byte [0x1034], 0x02    ; the descriptor's base 23:16 changes
s1:     mov ax, 0x30
        mov es, ax
        mov ebx, [es:0x10]
        add [0x6000], ebx
        push ds
        pop es
        mov fs, ax
        jmp far [farptr]
fl:     add edx, [fs:0]
        dec ecx
        jnz l
        hlt
farptr: dd fl
        dw 0x08
gdt_main: dw 0x3f
        dd 0x1000
gdt_alt: dw 0x3f
        dd 0x5000
        times 0x9000-0x8000-($-$$) db 0
np:     pop eax                    ; #NP: the error code
        or byte [0x1035], 0x80
        or byte [0x5035], 0x80
        iretd
        times 0x9100-0x8000-($-$$) db 0
ring:   mov ax, 0x38               ; INT 40h: FS = 38h (DPL 0)
        mov fs, ax
        iretd
`;

/** `LOOP` assembled (with PAGING defined when `paging`). */
function assemble(paging: boolean): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'segreload-'));
  writeFileSync(join(dir, 't.asm'), LOOP);
  execFileSync('nasm', ['-f', 'bin', ...(paging ? ['-DPAGING'] : []), join(dir, 't.asm'), '-o', join(dir, 't.bin')]);
  return readFileSync(join(dir, 't.bin'));
}

/** The fuzz machine in flat 32-bit PM at CPL 0 with the loop, its descriptors and gates (and paging). */
function machine(code: Uint8Array, paging: boolean): Cpu {
  const cpu = setup('pm32', 7, '80386');
  const m = cpu.mem;
  m.poke(0x8000, code);
  m.write32(0x1030, 0x0000ffff); // 30h: data, base 10000h, limit FFFFh, DPL 0, accessed
  m.write32(0x1034, 0x00009301);
  m.write32(0x1038, 0x0000ffff); // 38h: data, base 0, DPL 0
  m.write32(0x103c, 0x00009300);
  m.poke(0x5000, m.peek(0x1000, 0x40)); // the other GDT: 30h based at 70000h
  m.write8(0x5034, 0x07);
  const gate = (v: number, off: number, dpl: number) => { m.write32(0x2000 + v * 8, (0x08 << 16) | (off & 0xffff)); m.write32(0x2004 + v * 8, (off & 0xffff0000) | 0x8e00 | (dpl << 13)); };
  gate(11, 0x9000, 0);
  gate(0x40, 0x9100, 0);
  if (paging) {
    m.write32(0x40000, 0x41003);
    for (let i = 0; i < 512; i++) m.write32(0x41000 + i * 4, (i << 12) | 3);
    cpu.cr3 = 0x40000;
    cpu.cr0 |= CR0_PG;
    cpu.updateMode();
    cpu.tlbFlush(cpu);
  }
  cpu.eip = 0x8000;
  cpu.r32[ESP] = 0x7000;
  return cpu;
}

/**
 * The loop interpreted (a), with blocks (b) and interpreted with every known reload forgotten before
 * each instruction (r: each load checks the register, the descriptor's bytes and their translation
 * again, as before reloads were known), compared after the same slices.
 */
function compare(paging: boolean): void {
  const code = assemble(paging);
  const [a, b, r] = [0, 1, 2].map(() => machine(code, paging));
  a.jit = null;
  r.jit = null;
  blocks(b).hot = 1;
  const slices = rng(paging ? 5 : 3);
  const delivered: number[] = [];
  a.onInterrupt = (_c, v) => { delivered.push(v); };
  while (!a.halted && a.icount < 100_000) {
    const n = 1 + (slices() % 40);
    runCpu(a, n);
    runCpu(b, n);
    for (let i = 0; i < n && !r.halted; i++) {
      r.loadMemo.dropReloads();
      runCpu(r, 1);
    }
    assert.equal(state(a), state(r), `interpreted, at ${a.icount}`);
    assert.equal(state(b), state(a), `compiled, at ${a.icount}`);
    for (const at of [0x1035, 0x5035]) assert.deepEqual([a.mem.read8(at), b.mem.read8(at)], [r.mem.read8(at), r.mem.read8(at)], `access byte at ${hex(at)}, ${a.icount}`);
  }
  assert.ok(a.halted, 'the loop ran to its HLT');
  // Every eighth round: one #NP (the present bit cleared) and one INT 40h, nothing else.
  assert.deepEqual([...new Set(delivered)].sort(), [11, 0x40]);
  assert.equal(delivered.length, 2 * Math.ceil(300 / 8) - 1);
  assert.deepEqual([a.mem.read32(0x6000), b.mem.read32(0x6000)], [r.mem.read32(0x6000), r.mem.read32(0x6000)], 'the sum read through ES');
  assert.equal(a.mem.read8(0x1035) & 0x81, 0x81, 'present and accessed again after the last load');
  assert.ok(blocks(b).compiled > 0);
}

test('segment reloads: descriptor writes, the accessed bit, #NP, LGDT and other loads inside a compiled loop', () => {
  compare(false);
});

test('segment reloads under paging: the GDT page remapped with and without INVLPG as well', () => {
  compare(true);
});
