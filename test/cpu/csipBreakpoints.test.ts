// CS:IP breakpoints in the run loops (emulator/cpu/execute.ts BreakpointSet): `SSSS:OOOO` stops
// where CS.selector and EIP match, with the base CS's cache holds then (Bochs `vb`), interpreted and
// in compiled blocks alike: an unreal-mode CS (a protected-mode base kept in real mode), a GDT
// descriptor changed under a loaded CS, and far jumps between two selectors of one base.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockCache } from '../../emulator/cpu/jit/blocks';
import { CS } from '../../emulator/cpu/regs';
import { Machine } from '../../emulator/machine';

const dir = mkdtempSync(join(tmpdir(), 'bootscope-csip-'));

/** Assembles a boot sector (org 0x7C00); `at` gives a label's address from NASM's symbol map. */
function program(name: string, source: string): { bin: Uint8Array; at: (label: string) => number } {
  const src = join(dir, `${name}.asm`), bin = join(dir, `${name}.bin`), map = join(dir, `${name}.map`);
  writeFileSync(src, `[map symbols ${map}]\nbits 16\norg 0x7c00\n${source}\ntimes 510-($-$$) db 0\ndw 0xaa55\n`);
  execFileSync('nasm', ['-f', 'bin', '-o', bin, src]);
  const syms = new Map<string, number>();
  for (const m of readFileSync(map, 'utf8').matchAll(/^\s*([0-9A-F]+)\s+([0-9A-F]+)\s+(\w+)\s*$/gm)) syms.set(m[3], parseInt(m[2], 16));
  return {
    bin: new Uint8Array(readFileSync(bin)),
    at: (label) => {
      const v = syms.get(label);
      if (v === undefined) throw new Error(`no label ${label} in ${name}`);
      return v;
    },
  };
}

function machine(bin: Uint8Array, jit: boolean): Machine {
  const m = new Machine({ cpu: '80386', memoryMB: 1 });
  m.loadBootSector(bin, 0);
  if (jit) (m.cpu.jit as BlockCache).hot = 1;
  else m.cpu.jit = null;
  return m;
}

const GDT = `
gdt: dq 0
    dq 0x00009a007c00ffff       ; 0x08: 16-bit code, base 0x7C00
    dq 0x000092000000ffff       ; 0x10: data, base 0
    dq 0x00009a007c00ffff       ; 0x18: 16-bit code, base 0x7C00 (a second selector for the same code)
gdtr: dw 31
    dd gdt`;

const TO_PM = `
    cli
    xor ax, ax
    mov ds, ax
    lgdt [gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp 0x08:pm - 0x7c00
pm:
    mov ax, 0x10
    mov ds, ax`;

const UNREAL = program('unreal', `${TO_PM}
    mov eax, cr0
    and al, 0xfe
    mov cr0, eax                ; real mode again; CS keeps selector 0008 with base 0x7C00
unreal:
    inc ax
    jmp 0x0008:after - 0x80     ; a real-mode far jump: CS = 0008 with base 0x80
after:
    inc bx
    hlt
${GDT}`);

for (const jit of [false, true]) {
  const how = jit ? 'compiled blocks' : 'interpreted';
  test(`CS:IP breakpoints (${how}): an unreal CS stops at its cached base, then at the real-mode base after a far jump`, () => {
    const { bin, at } = UNREAL;
    const m = machine(bin, jit);
    // Real-mode rules would put 0008:(unreal - 0x7C00) at 0x80 + offset; the CS cache says 0x7C00.
    m.breakpoints.addCsIp(0x0008, at('unreal') - 0x7c00);
    m.breakpoints.addCsIp(0x0008, at('after') - 0x80);
    // Same linear address as `after`, another selector: never a hit.
    m.breakpoints.addCsIp(0x0000, at('after'));
    let s = m.run({ maxInstructions: 1000 });
    assert.equal(s.reason, 'breakpoint');
    assert.deepEqual([m.cpu.sel[CS], m.cpu.eip, m.cpu.base[CS], m.cpu.cr0 & 1], [0x0008, at('unreal') - 0x7c00, 0x7c00, 0]);
    s = m.run({ maxInstructions: 1000 });
    assert.equal(s.reason, 'breakpoint');
    assert.deepEqual([m.cpu.sel[CS], m.cpu.eip, m.cpu.base[CS]], [0x0008, at('after') - 0x80, 0x80]);
    assert.equal(m.run({ maxInstructions: 1000 }).reason, 'halt');
  });
}

const DESCRIPTOR = program('descriptor', `${TO_PM}
    mov word [gdt + 8 + 2], 0x7b00  ; GDT entry 0x08 now says base 0x7B00; CS still caches 0x7C00
reload:
    jmp 0x08:target - 0x7b00        ; reloads CS from the changed descriptor
target:
    inc bx
    hlt
${GDT}`);

for (const jit of [false, true]) {
  const how = jit ? 'compiled blocks' : 'interpreted';
  test(`CS:IP breakpoints (${how}): a changed descriptor counts once CS is reloaded from it`, () => {
    const { bin, at } = DESCRIPTOR;
    const m = machine(bin, jit);
    const reload = at('reload') - 0x7c00, target = at('target') - 0x7b00;
    m.breakpoints.addCsIp(0x0008, reload);
    m.breakpoints.addCsIp(0x0008, target);
    let s = m.run({ maxInstructions: 1000 });
    assert.equal(s.reason, 'breakpoint');
    // The descriptor already says 0x7B00, but the cache CS was loaded with is what executes.
    assert.deepEqual([m.cpu.sel[CS], m.cpu.eip, m.cpu.base[CS]], [0x0008, reload, 0x7c00]);
    assert.equal(m.mem.read16(at('gdt') + 10), 0x7b00);
    s = m.run({ maxInstructions: 1000 });
    assert.equal(s.reason, 'breakpoint');
    assert.deepEqual([m.cpu.sel[CS], m.cpu.eip, m.cpu.base[CS]], [0x0008, target, 0x7b00]);
  });
}

test('CS:IP breakpoints in compiled blocks: far jumps between two selectors of one base stop only under the right selector', () => {
  const { bin, at } = program('twoselectors', `${TO_PM}
    xor ax, ax
    mov cx, 500
l8:
    inc ax
    jmp 0x18:l18 - 0x7c00
l18:
    inc bx
    dec cx
    jz done
    jmp 0x08:l8 - 0x7c00
done:
    hlt
${GDT}`);
  const m = machine(bin, true);
  const l18 = at('l18') - 0x7c00;
  // Blocks made and hot first, with a breakpoint whose selector never runs that offset (0008:l18).
  m.breakpoints.addCsIp(0x0008, l18);
  assert.equal(m.run({ maxInstructions: 10_000 }).reason, 'halt', 'linear l18 under CS 0018 is no hit for 0008');
  assert.equal(m.cpu.r16[6], 500);

  const again = machine(bin, true);
  again.run({ maxInstructions: 300 });
  assert.ok((again.cpu.jit as BlockCache).compiled > 0);
  again.breakpoints.addCsIp(0x0018, l18);
  const s = again.run({ maxInstructions: 2000 });
  assert.equal(s.reason, 'breakpoint');
  assert.deepEqual([again.cpu.sel[CS], again.cpu.eip], [0x0018, l18]);
  assert.equal(again.cpu.r16[0], again.cpu.r16[6] + 1, 'stopped between inc ax and inc bx');
  const bx = again.cpu.r16[6];
  assert.equal(again.run({ maxInstructions: 2000 }).reason, 'breakpoint');
  assert.equal(again.cpu.r16[6], bx + 1, 'the next round stops again');
});
