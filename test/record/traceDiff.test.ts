// @tier full
// `bootscope trace-diff`: a crafted JSON Lines trace against QEMU logs (condensed and raw) with a
// divergence injected at a known index; BIOS and SMM records are left out of the alignment; and a
// real run: a boot sector traced by qemu-system-i386 against a Machine run of the same sector. The
// comparison is lockstep.ts's (as `compare`'s), its report divergenceReport.ts's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../emulator/machine';
import { type TraceLine, traceLine } from '../../emulator/record/trace';
import { diffTraces, formatDiff, parseOurTrace, parseQemuLog, type QemuLog, traceCode } from '../../emulator/record/traceDiff';
import { assemble } from './harness';

const h8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const h4 = (n: number) => (n >>> 0).toString(16).padStart(4, '0');

/** A made-up run: 40 real-mode instructions at 0000:7C00.., a REP loop of 5 iterations in the middle. */
function crafted(): TraceLine[] {
  const out: TraceLine[] = [];
  let eip = 0x7c00;
  for (let n = 0; n < 40; n++) {
    const rep = n >= 10 && n < 15;
    out.push({ n, cs: 0, eip, eax: n * 3, ebx: 0x100 + n, ecx: rep ? 15 - n : 7, edx: 0x80, esi: 0, edi: 0x500 + n, ebp: 0, esp: 0x6f04 - (n & 6), eflags: 0x202 | (n & 1 ? 0x40 : 0), ds: 0, es: 0, ss: 0, fs: 0, gs: 0, cr0: 0x10 });
    if (!rep || n === 14) eip += 2;
  }
  return out;
}

function condensedLine(i: number, t: TraceLine): string {
  return `${String(i).padStart(7)} ${h4(t.cs)}:${h8(t.eip)} lin=${h8(t.cs * 16 + t.eip)} EAX=${h8(t.eax)} EBX=${h8(t.ebx)} ECX=${h8(t.ecx)} EDX=${h8(t.edx)} ESI=${h8(t.esi)} EDI=${h8(t.edi)} EBP=${h8(t.ebp)} ESP=${h8(t.esp)} EFL=${h8(t.eflags)} DS=${h4(t.ds)} ES=${h4(t.es)} SS=${h4(t.ss)} FS=${h4(t.fs)} GS=${h4(t.gs)} CR0=${h8(t.cr0)}`;
}

function rawBlock(t: TraceLine, lin: number, smm = 0, bytes?: number[]): string {
  const seg = (name: string, sel: number) => `${name} =${h4(sel)} ${h8(sel << 4)} 0000ffff 00009300`;
  return [
    ...(bytes ? [`0x${h8(lin)}:  ${bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}  whatever`, ''] : []),
    `Trace 0: 0x7f7cd82d7bc0 [${h8(t.cs << 4)}/${h8(lin)}/00000040/ff000201] `,
    `EAX=${h8(t.eax)} EBX=${h8(t.ebx)} ECX=${h8(t.ecx)} EDX=${h8(t.edx)}`,
    `ESI=${h8(t.esi)} EDI=${h8(t.edi)} EBP=${h8(t.ebp)} ESP=${h8(t.esp)}`,
    `EIP=${h8(t.eip)} EFL=${h8(t.eflags)} [-------] CPL=0 II=0 A20=1 SMM=${smm} HLT=0`,
    seg('ES', t.es), `CS =${h4(t.cs)} ${h8(t.cs << 4)} 0000ffff 00009b00`, seg('SS', t.ss), seg('DS', t.ds), seg('FS', t.fs), seg('GS', t.gs),
    'LDT=0000 00000000 0000ffff 00008200', 'TR =0000 00000000 0000ffff 00008b00', 'GDT=     00000000 00000000', 'IDT=     00000000 000003ff',
    `CR0=${h8(t.cr0)} CR2=00000000 CR3=00000000 CR4=00000000`, 'DR0=00000000 DR1=00000000 DR2=00000000 DR3=00000000 ', 'DR6=ffff0ff0 DR7=00000400',
    'CCS=00000000 CCD=00000000 CCO=EFLAGS', '',
  ].join('\n');
}

const jsonl = (t: TraceLine[]) => t.map((x) => JSON.stringify(x)).join('\n') + '\n';

test('EFLAGS bits the instruction before left undefined are excused (AF after SHL), defined ones are not (AF after ADD)', () => {
  const ours = crafted();
  const withAf = (t: TraceLine[], from: number) => t.map((x, i) => (i >= from && i < from + 3 ? { ...x, eflags: x.eflags ^ 0x10 } : x));
  const log = (t: TraceLine[]) => parseQemuLog(t.map((x, i) => condensedLine(i, x)).join('\n'));
  // Record 30 follows the instruction at ours[29].eip: SHL AX,1 (D1 E0) leaves AF undefined, ADD AX,AX (01 C0) does not.
  const code = (bytes: number[]) => (lin: number) => (lin === ours[29].eip ? Uint8Array.from(bytes) : null);
  const shl = diffTraces(parseOurTrace(jsonl(ours)), log(withAf(ours, 30)), { code: code([0xd1, 0xe0]) });
  assert.equal(shl.divergence, null, formatDiff(shl));
  assert.equal(shl.rules.undefinedFlags.count, 1);
  assert.match(formatDiff(shl), /^excused: EFLAGS bits left undefined by the instruction before, 1 times \(the first: EFLAGS 00000010 after 0000:00007c32 lin=00007c32 \(instruction 30\)\)$/m);
  const add = diffTraces(parseOurTrace(jsonl(ours)), log(withAf(ours, 30)), { code: code([0x01, 0xc0]) });
  assert.equal(add.divergence?.index, 30);
  assert.deepEqual(add.divergence?.registers, ['eflags']);
  // An excused bit that differs again after the sides agreed is a divergence.
  const again = withAf(withAf(ours, 30), 35);
  const r = diffTraces(parseOurTrace(jsonl(ours)), log(again), { code: code([0xd1, 0xe0]) });
  assert.equal(r.divergence?.index, 35);
});

test('condensed QEMU log: identical traces, then an injected register divergence at index 23', () => {
  const ours = crafted();
  const same = ours.map((t, i) => condensedLine(i, t)).join('\n');
  const r0 = diffTraces(parseOurTrace(jsonl(ours)), parseQemuLog('# qemu-system-i386 ...\n' + same));
  assert.equal(r0.divergence, null);
  assert.equal(r0.compared, 40);
  const bad = ours.map((t) => ({ ...t }));
  bad[23].ecx = 0x1234;
  bad[23].eflags |= 1;
  const r = diffTraces(parseOurTrace(jsonl(ours)), parseQemuLog(bad.map((t, i) => condensedLine(i, t)).join('\n')));
  assert.ok(r.divergence);
  assert.equal(r.divergence.index, 23);
  assert.equal(r.divergence.controlFlow, false);
  assert.deepEqual(r.divergence.registers, ['ecx', 'eflags']);
  assert.equal(r.divergence.qemu.eip, ours[23].eip);
  assert.match(formatDiff(r), /^divergence at instruction 23 from our first record, at 0000:00007c26 lin=00007c26: ecx, eflags differ$/m);
  // Both states side by side, the differing registers marked.
  assert.match(formatDiff(r), /\* ecx +00000007 +00001234/);
  // A QEMU log with two more iterations of the REP (as when an interrupt arrives mid-REP) lines up with --collapse-rep.
  const extra = [...ours.slice(0, 12), { ...ours[11], ecx: 99 }, { ...ours[11], ecx: 98 }, ...ours.slice(12)];
  const rc = diffTraces(parseOurTrace(jsonl(ours)), parseQemuLog(extra.map((t, i) => condensedLine(i, t)).join('\n')), { collapseRep: true });
  assert.equal(rc.divergence, null);
  assert.equal(rc.compared, 36);
  assert.equal(diffTraces(parseOurTrace(jsonl(ours)), parseQemuLog(extra.map((t, i) => condensedLine(i, t)).join('\n'))).divergence?.index, 12);
  // The flags mask and --ignore leave them out.
  const r2 = diffTraces(parseOurTrace(jsonl(ours)), parseQemuLog(bad.map((t, i) => condensedLine(i, t)).join('\n')), { ignore: ['ecx'], flagsMask: ~1 });
  assert.equal(r2.divergence, null);
});

test('raw QEMU log: BIOS and SMM records are dropped, REP iterations line up, control-flow divergence at index 31', () => {
  const ours = crafted();
  const q = ours.map((t) => ({ ...t }));
  q[31].eip += 0x10; // a different branch
  const blocks: string[] = [];
  // Firmware before the boot sector (SMM handler, BIOS ROM) is not part of the comparison.
  blocks.push(rawBlock({ ...q[0], eip: 0x8000, cs: 0x3000 }, 0x38000, 1));
  blocks.push(rawBlock({ ...q[0], eip: 0xe05b, cs: 0xf000 }, 0xfe05b));
  q.forEach((t, i) => {
    blocks.push(rawBlock(t, t.cs * 16 + t.eip, 0, i === 30 ? [0x75, 0x0e] : undefined));
    // An interrupt handler in the BIOS ROM between two guest instructions, and an SMM record.
    if (i === 5) blocks.push(rawBlock({ ...t, cs: 0xf000, eip: 0xfea5 }, 0xffea5));
    if (i === 6) blocks.push(rawBlock({ ...t, cs: 0x3000, eip: 0x8000 }, 0x38000, 1));
    // QEMU may log a TB twice when it leaves it before executing it: an exact repeat.
    if (i === 8) blocks.push(rawBlock(t, t.cs * 16 + t.eip));
  });
  const log = parseQemuLog(blocks.join('\n'));
  assert.equal(log.format, 'raw');
  const r = diffTraces(parseOurTrace(jsonl(ours)), log);
  assert.ok(r.divergence);
  assert.equal(r.divergence.index, 31);
  assert.equal(r.divergence.controlFlow, true);
  assert.equal(r.divergence.ours.eip, ours[31].eip);
  assert.equal(r.divergence.qemu.eip, ours[31].eip + 0x10);
  assert.equal(r.qemu, 41);
  assert.equal(r.rules.repeats, 1);
  // Disassembly from the log's in_asm bytes: `jnz` at index 30, the last agreeing instruction.
  assert.match(formatDiff(r, traceCode(log)), /^ +30 {2}0000:00007c34 lin=00007c34 {2}jnz /m);
});

test('the CLI: trace-diff OURS QEMU_LOG --json and the text report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-tdiff-'));
  try {
    const ours = crafted();
    const bad = ours.map((t) => ({ ...t }));
    bad[17].esi = 9;
    writeFileSync(join(dir, 'ours.jsonl'), jsonl(ours));
    writeFileSync(join(dir, 'q.txt'), bad.map((t, i) => condensedLine(i, t)).join('\n'));
    const run = (...a: string[]) => spawnSync(process.execPath, ['dist/cli.js', 'trace-diff', ...a], { encoding: 'utf8' });
    const j = run(join(dir, 'ours.jsonl'), join(dir, 'q.txt'), '--json');
    assert.equal(j.status, 0, j.stderr);
    const o = JSON.parse(j.stdout);
    assert.equal(o.divergence.index, 17);
    assert.deepEqual(o.divergence.registers, ['esi']);
    assert.deepEqual([o.divergence.ours.regs.esi, o.divergence.qemu.regs.esi], [0, 9]);
    const t = run(join(dir, 'ours.jsonl'), join(dir, 'q.txt'));
    assert.match(t.stdout, /^divergence at instruction 17 from our first record, at 0000:00007c1a lin=00007c1a: esi differs$/m);
    assert.match(t.stdout, /\* esi +00000000 +00000009/);
    assert.equal(run(join(dir, 'ours.jsonl')).status, 2);
    assert.equal(run(join(dir, 'nope.jsonl'), join(dir, 'q.txt')).status, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const haveQemu = spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Runs qemu-system-i386 with `args` until its log holds the record of a HLT in `sector` (at 0000:7C00), after which
 * it logs nothing more (the sector ends in CLI; HLT), then ends it. SeaBIOS's way to the sector waits on the host's
 * clock (under a load of 10, 3.4 s here), so a fixed short limit failed on a busy host; a long one ends in an error
 * that says how far QEMU got.
 */
async function qemuToHalt(args: string[], log: string, sector: Uint8Array, limitMs = 120_000): Promise<QemuLog> {
  const q = spawn('qemu-system-i386', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  q.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((resolve) => q.on('close', () => resolve()));
  const read = (): QemuLog | null => {
    try {
      return parseQemuLog(readFileSync(log, 'utf8'));
    } catch {
      return null; // not written yet, or no complete record so far
    }
  };
  // The sector's byte at a record's address (undefined outside the sector).
  const at = (r: { lin: number | null }) => (r.lin !== null && r.lin >= 0x7c00 ? sector[r.lin - 0x7c00] : undefined);
  const t0 = Date.now();
  try {
    for (;;) {
      const l = read();
      if (l?.records.some((r) => at(r) === 0xf4)) break;
      if (q.exitCode !== null || q.signalCode !== null) assert.fail(`QEMU ended before the sector's HLT (${q.exitCode ?? q.signalCode}): ${stderr}`);
      if (Date.now() - t0 > limitMs) {
        const n = l?.records.filter((r) => at(r) !== undefined).length ?? 0;
        assert.fail(`QEMU did not reach the sector's HLT in ${limitMs / 1000} s (${n} records in the sector so far; load average ${loadavg()[0].toFixed(1)})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    q.kill();
    await exited;
  }
  return parseQemuLog(readFileSync(log, 'utf8'));
}

test('real run: QEMU and our Machine agree on every guest instruction of a boot sector', { skip: !haveQemu && 'qemu-system-i386 not installed' }, async () => {
  const bin = assemble('qemu');
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-qtrace-'));
  try {
    const img = new Uint8Array(65536);
    img.set(bin);
    writeFileSync(join(dir, 's.img'), img);
    const qemu = await qemuToHalt(['-nodefaults', '-display', 'none', '-m', '64',
      '-drive', `file=${join(dir, 's.img')},format=raw,if=ide,snapshot=on`, '-serial', 'none', '-monitor', 'none',
      '-singlestep', '-d', 'cpu,exec,nochain,in_asm', '-dfilter', '0x500..0x9ffff', '-D', join(dir, 'trace.log')], join(dir, 'trace.log'), bin);
    const entry = qemu.records.find((r) => r.lin === 0x7c00);
    assert.ok(entry, 'QEMU reached 0000:7C00');
    // Ours: the same sector on a Machine, from QEMU's entry state (SeaBIOS leaves EAX=AA55, ESP=6F04, ...).
    const m = new Machine({ cpu: '80386', memoryMB: 16 });
    m.loadBootSector(bin, 0x80);
    const regs = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
    regs.forEach((r, i) => { m.cpu.r32[i] = entry.regs[r]; });
    m.cpu.setFlags(entry.regs.eflags);
    const lines: string[] = [];
    const stop = m.run({ maxInstructions: 10_000, beforeInstruction: (mm) => { lines.push(JSON.stringify(traceLine(mm.cpu, lines.length))); return null; } });
    assert.equal(stop.reason, 'halt');
    const r = diffTraces(parseOurTrace(lines.join('\n')), qemu, { code: (lin) => (lin >= 0x7c00 && lin < 0x7e00 ? bin.subarray(lin - 0x7c00) : null) });
    assert.equal(r.divergence, null, formatDiff(r));
    assert.ok(r.compared > 200, `compared ${r.compared}`);
    assert.ok(r.compared >= lines.length - 1, `compared ${r.compared} of ${lines.length}`);
    // A divergence injected into our side of the real traces is found at its index.
    const bad = lines.slice();
    const o = JSON.parse(bad[100]) as TraceLine;
    o.edi ^= 0x10;
    bad[100] = JSON.stringify(o);
    const r2 = diffTraces(parseOurTrace(bad.join('\n')), qemu);
    assert.equal(r2.divergence?.index, 100);
    assert.deepEqual(r2.divergence?.registers, ['edi']);
    // The same through the CLI: `bootscope run IMAGE --trace` (built-in BIOS, SeaBIOS's entry state) and `trace-diff --json`.
    const cli = (...a: string[]) => spawnSync(process.execPath, ['dist/cli.js', ...a], { encoding: 'utf8' });
    const run = cli('run', join(dir, 's.img'), '--trace', join(dir, 'ours.jsonl'), '--max', '5000');
    assert.equal(run.status, 0, run.stderr);
    const d = cli('trace-diff', join(dir, 'ours.jsonl'), join(dir, 'trace.log'), '--json');
    assert.equal(d.status, 0, d.stderr);
    const dj = JSON.parse(d.stdout);
    assert.equal(dj.divergence, null, d.stdout);
    assert.ok(dj.compared > 200);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--resync: an interrupt handler that ran on one side only is skipped by compare\'s rule, on either side', () => {
  const ours = crafted();
  // An interrupt taken before record `at`: IF clear in the handler, a 6-byte frame below that record's stack.
  const handler = (at: TraceLine, k: number): TraceLine[] =>
    Array.from({ length: k }, (_, x) => ({ ...at, eip: 0x7d00 + 2 * x, esp: at.esp - 6, eflags: at.eflags & ~0x200 }));
  // QEMU took an interrupt before record 20: its handler's records, then record 20 again.
  const q = [...ours.slice(0, 20), ...handler(ours[20], 6), ...ours.slice(20)];
  const log = parseQemuLog(q.map((t, i) => condensedLine(i, t)).join('\n'));
  assert.equal(diffTraces(parseOurTrace(jsonl(ours)), log).divergence?.index, 20);
  const r = diffTraces(parseOurTrace(jsonl(ours)), log, { resync: true });
  assert.equal(r.divergence, null, formatDiff(r));
  assert.deepEqual(r.rules.resyncs.map((x) => [x.index, x.side, x.records]), [[20, 'qemu', 6]]);
  // Our side took one (before record 26), and a real divergence later is still found.
  const o2 = [...ours.slice(0, 26), ...handler(ours[26], 4), ...ours.slice(26)].map((t, n) => ({ ...t, n }));
  const q2 = ours.map((t) => ({ ...t }));
  q2[35].eax = 7;
  const r2 = diffTraces(parseOurTrace(jsonl(o2)), parseQemuLog(q2.map((t, i) => condensedLine(i, t)).join('\n')), { resync: true });
  assert.deepEqual(r2.rules.resyncs.map((x) => [x.index, x.side, x.records]), [[26, 'bootscope', 4]]);
  assert.deepEqual([r2.divergence?.index, r2.divergence?.ours.source], [35, 39], 'instruction 35, our line 39');
  assert.deepEqual(r2.divergence?.registers, ['eax']);
  assert.match(formatDiff(r2), /^ {2}at instruction 26: 4 Bootscope records from 0000:00007d00 lin=00007d00 skipped$/m);
  // Not an interrupt entry (IF stays set): no resync, a control-flow divergence.
  const q3 = [...ours.slice(0, 20), ...handler(ours[20], 6).map((t) => ({ ...t, eflags: t.eflags | 0x200 })), ...ours.slice(20)];
  const r3 = diffTraces(parseOurTrace(jsonl(ours)), parseQemuLog(q3.map((t, i) => condensedLine(i, t)).join('\n')), { resync: true });
  assert.deepEqual([r3.divergence?.index, r3.divergence?.controlFlow], [20, true]);
});
