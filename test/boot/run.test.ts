// `bootscope run` through the built CLI (dist/cli.js), as outside tools use it: the JSON summary's
// fields, stop reasons, --until/--max/--trace/--trace-from/--keys/--floppy/--bios, byte-identical
// traces across runs, and the exit codes of docs/CLI.md (1 unusable input, 2 usage).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../bios/harness';

let dir = '';
const HALT = '\n  cli\n  hlt\n';

function run(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.js', 'run', ...args], { encoding: 'utf8' });
}

function json(...args: string[]): Record<string, any> {
  const r = run(...args, '--json');
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function file(name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootscope-run-'));
});

test('--json summary: every field of CLI.md, real mode, segments in VMCS access-rights layout', () => {
  const img = file('hello.bin', assemble(`
  mov si, msg
.l:
  lodsb
  test al, al
  jz .e
  out 0xe9, al
  mov ah, 0x0e
  int 0x10
  jmp .l
.e:
  mov al, 0x42
  out 0x80, al
  mov dx, 0x3f8
  mov al, 'S'
  out dx, al
  ${HALT}
msg: db 'hi', 0`));
  const s = json(img, '--screen');
  assert.equal(s.stopReason, 'halt');
  assert.equal(s.mode, 'real');
  assert.equal(typeof s.instructions, 'number');
  assert.deepEqual(Object.keys(s.registers), ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip', 'eflags']);
  for (const k of ['cs', 'ds', 'es', 'ss', 'fs', 'gs', 'ldtr', 'tr']) {
    assert.deepEqual(Object.keys(s.segments[k]), ['selector', 'base', 'limit', 'access'], k);
  }
  assert.deepEqual(s.segments.cs, { selector: 0, base: 0, limit: 0xffff, access: 0x9b });
  assert.equal(s.segments.ds.access, 0x93);
  assert.equal(s.segments.tr.access, 0x8b);
  assert.deepEqual(s.tables, { gdtr: { base: 0, limit: 0xffff }, idtr: { base: 0, limit: 0x3ff } });
  assert.deepEqual(Object.keys(s.control), ['cr0', 'cr2', 'cr3', 'cr4']);
  assert.equal(s.control.cr0 & 1, 0);
  assert.deepEqual(s.postCodes, [0x42]);
  assert.equal(s.debugText, 'hi');
  assert.equal(s.serialText, 'S');
  assert.equal(s.screen.length, 25);
  assert.equal(s.screen[0], 'hi'.padEnd(80));
  // Without --screen there is no screen field.
  assert.equal(json(img).screen, undefined);
});

test('--until (SSSS:OOOO and linear, repeatable) and --max stop before the instruction', () => {
  const img = file('count.bin', assemble(`
  mov cx, 10
.l:
  inc ax
  loop .l
  ${HALT}`));
  const a = json(img, '--until', '0000:7c06');
  assert.equal(a.stopReason, 'until');
  assert.equal(a.registers.eip, 0x7c06);
  assert.equal(a.instructions, 21); // MOV CX, then 10 × (INC AX, LOOP)
  const b = json(img, '--until', '0x7c08', '--until', '0000:7c06');
  assert.equal(b.stopReason, 'until');
  assert.equal(b.registers.eip, 0x7c06);
  const c = json(img, '--max', '5');
  assert.equal(c.stopReason, 'max');
  assert.equal(c.instructions, 5);
  const d = json(img, '--until', '0x7c04');
  assert.equal(d.registers.eip, 0x7c04);
  assert.equal(d.instructions, 2);
  assert.equal(d.registers.ecx & 0xffff, 10);
});

test('--trace: one JSON line per instruction, state before it, REP iterations each a line, BIOS traps left out', () => {
  const img = file('trace.bin', assemble(`
  xor ax, ax
  mov es, ax
  mov si, 0x7c00
  mov di, 0x600
  mov cx, 3
  rep movsb
  mov ax, 0x0e41
  int 0x10
  nop
  ${HALT}`));
  const t = join(dir, 'trace.jsonl');
  const s = json(img, '--trace', t);
  const lines = readFileSync(t, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(lines[0]), ['n', 'cs', 'eip', 'lin', 'eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eflags', 'ds', 'es', 'ss', 'fs', 'gs', 'cr0']);
  assert.deepEqual(lines[0], { n: 0, cs: 0, eip: 0x7c00, lin: 0x7c00, eax: 0xaa55, ebx: 0, ecx: 0, edx: 0x80, esi: 0, edi: 0, ebp: 0, esp: 0x6f04, eflags: 0x202, ds: 0, es: 0, ss: 0, fs: 0, gs: 0, cr0: 0x10 });
  lines.forEach((l, i) => assert.equal(l.n, i));
  const rep = lines.filter((l) => l.eip === 0x7c0d);
  assert.deepEqual(rep.map((l) => l.ecx), [3, 2, 1]);
  // INT 10h, then the ROM stub's IRET (the trap before it is not an instruction), then NOP.
  const int = lines.findIndex((l) => l.eip === 0x7c12);
  assert.equal(lines[int + 1].cs, 0xf000);
  assert.equal(lines[int + 1].eip, 0xf065 + 3);
  assert.equal(lines[int + 1].lin, 0xf0000 + 0xf065 + 3, 'CS base + EIP');
  assert.equal(lines[int + 2].eip, 0x7c14);
  assert.equal(lines.length, s.instructions);
  // Two runs give byte-identical traces.
  const t2 = join(dir, 'trace2.jsonl');
  json(img, '--trace', t2);
  assert.equal(readFileSync(t2, 'utf8'), readFileSync(t, 'utf8'));
  // --trace-from starts at the first arrival; n still counts from 0000:7C00.
  const t3 = join(dir, 'trace3.jsonl');
  json(img, '--trace', t3, '--trace-from', '0000:7c12');
  const from = readFileSync(t3, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(from[0].eip, 0x7c12);
  assert.equal(from[0].n, int);
  // The same through the per-instruction hook (a VM-entry profile armed from the start).
  const t4 = join(dir, 'trace4.jsonl');
  json(img, '--trace', t4, '--trace-from', '0000:7c12', '--profile', 'unrestricted');
  assert.equal(readFileSync(t4, 'utf8'), readFileSync(t3, 'utf8'));
});

test('--keys types through the keyboard for INT 16h (\\n is Enter); --floppy boots drive 00h', () => {
  const src = `
  mov al, dl
  out 0xe9, al
.l:
  xor ax, ax
  int 0x16
  out 0xe9, al
  cmp al, 13
  jne .l
  ${HALT}`;
  const s = json(file('keys.bin', assemble(src)), '--keys', 'ok\\n');
  assert.equal(s.debugText, '\x80ok\r');
  const f = json(file('keys-floppy.bin', assemble(src)), '--floppy', '--keys', 'x\\n');
  assert.equal(f.debugText, '\x00x\r');
});

test('exit codes and messages: unusable images are 1, usage errors are 2, a missing 55AA only warns', () => {
  let r = run(join(dir, 'nope.img'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no such file/);
  r = run(file('empty.img', new Uint8Array(0)));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /empty/);
  r = run(file('trunc.img', new Uint8Array(700)));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /truncated/);
  r = run(file('big.img', new Uint8Array(3 * 1024 * 1024)), '--floppy');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /too large for a floppy/);
  const ok = file('ok.bin', assemble(HALT));
  for (const bad of [[], ['--bogus'], ['--until', '7c00'], ['--max', 'x'], ['--cpu', '486'], ['--trace-from', '0x7c00'], ['--keys', '\u00e9']]) {
    r = run(...(bad.length ? [ok, ...bad] : []));
    assert.equal(r.status, 2, `${bad.join(' ')}: ${r.stderr}`);
  }
  r = run(ok, '--profile', 'vmware');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not one of raw, unrestricted, xen-vm86, kvm-rmode/);
  const no55 = new Uint8Array(512);
  no55.set([0xfa, 0xf4]);
  r = run(file('no55.bin', no55), '--json');
  assert.equal(r.status, 0);
  assert.match(r.stderr, /does not end with 55 AA .*booting it anyway/);
  assert.equal(JSON.parse(r.stdout).stopReason, 'halt');
});

test('a triple fault is a stop reason (exit 0), and the count reaches the fault', () => {
  const img = file('tf.bin', assemble(`
  lidt [zero]
  int 3
zero: dw 0
  dd 0`));
  const s = json(img);
  assert.equal(s.stopReason, 'triple-fault');
});

test('--bios FILE: firmware from the reset vector (CS.base FFFF0000), POST codes and port E9h in the summary', () => {
  // 64 KiB ROM: at FFF0 a far jump to F000:0000, which writes POST codes and text and halts.
  const rom = new Uint8Array(65536).fill(0xff);
  const code = assemble(`
  mov al, 0x11
  out 0x80, al
  mov al, 0x22
  out 0x80, al
  mov al, 'F'
  out 0xe9, al
  mov ax, cs
  mov ds, ax
  ${HALT}`, { raw: true });
  rom.set(code.subarray(0x7c00 - 0x7c00), 0);
  rom.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0);
  const s = json('--bios', file('fw.rom', rom), '--max', '1000');
  assert.equal(s.stopReason, 'halt');
  assert.deepEqual(s.postCodes, [0x11, 0x22]);
  assert.equal(s.debugText, 'F');
  assert.deepEqual(s.segments.cs, { selector: 0xf000, base: 0xf0000, limit: 0xffff, access: 0x9b });
  const first = json('--bios', file('fw2.rom', rom), '--max', '0');
  assert.equal(first.registers.eip, 0xfff0);
  assert.equal(first.segments.cs.base, 0xffff0000);
  const r = run('--bios', file('bad.rom', new Uint8Array(1000)));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /multiple of 4 KiB/);
  const v = run(file('vga.img', assemble(HALT)), '--vga-rom', file('vga.rom', rom));
  assert.equal(v.status, 2);
  assert.match(v.stderr, /--vga-rom needs --bios/);
});

test('--profile: the vmentry verdict in the summary; --break-on-vmentry-failure and --break-on-emulation stop where it changes', () => {
  const ok = file('profile-ok.bin', assemble(HALT));
  // Real mode without unrestricted guest fails VM entry at once (the first boundary counts as a change).
  const raw = json(ok, '--profile', 'raw', '--break-on-vmentry-failure');
  assert.equal(raw.stopReason, 'vmentry-failure');
  assert.equal(raw.instructions, 0);
  assert.equal(raw.vmentry.profile, 'raw');
  assert.equal(raw.vmentry.verdict, 'fail');
  assert.ok(raw.vmentry.failures.length > 0);
  assert.deepEqual(Object.keys(raw.vmentry.failures[0]), ['id', 'section', 'field', 'message']);
  const ug = json(ok, '--profile', 'unrestricted');
  assert.equal(ug.stopReason, 'halt');
  assert.equal(ug.vmentry.verdict, 'enter');
  // Back from protected mode with CS still holding the PM selector's cache: KVM emulates until CS is reloaded.
  const img = file('profile-pm.bin', assemble(`
  cli
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp 0x08:pm
pm:
  and al, 0xfe
  mov cr0, eax
  nop
  jmp 0:rm
rm:
  ${HALT}
align 8
gdt: dq 0
  dq 0x00009a000000ffff
gdtr: dw 15
  dd gdt`));
  const list = join(dir, 'emulated.jsonl');
  const kvm = json(img, '--profile', 'kvm-rmode', '--break-on-emulation', '--list-emulated', list);
  assert.equal(kvm.stopReason, 'emulation');
  assert.equal(kvm.mode, 'real');
  assert.equal(kvm.segments.cs.selector, 0x08);
  assert.equal(kvm.vmentry.verdict, 'emulate');
  const all = json(img, '--profile', 'kvm-rmode', '--list-emulated', list);
  assert.equal(all.stopReason, 'halt');
  const records = readFileSync(list, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(records.some((e) => e.cs === 0x08), JSON.stringify(records.map((e) => [e.cs, e.eip])));
});

test('--clock icount: the time-stamp counter counts 2^8 per instruction, QEMU\'s -icount shift=8 rule; the default 1', () => {
  const img = file('tsc.bin', assemble(`
  rdtsc
  mov ebx, eax
  rdtsc
  sub eax, ebx${HALT}`));
  const ticks = (clock: string[]) => json(img, '--cpu', 'pentium', ...clock).registers.eax;
  assert.equal(ticks(['--clock', 'icount']), 2 * 256, 'two instructions: RDTSC and MOV');
  assert.equal(ticks([]), 2);
  assert.equal(run(img, '--clock', 'wall').status, 2);
});
