// `npm run bench`: throughput on the four images of test/bench/bench.asm (real mode and
// 16-bit protected mode, MBR layout and separate data), nothing armed, with 1,000 code
// breakpoints + 16 data watchpoints armed (none hit), with recording on, and as in a debug session
// (recording and the debugger's monitor), beside QEMU when it is installed.
// Numbers, not pass/fail: the README quotes them with machine and date. Times are CPU seconds (user +
// system) of the emulating process, ours and QEMU's alike, so other load on the shared 2-vCPU
// machine does not distort the comparison; wall time is printed beside them.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { Machine } from '../../emulator/machine';
import { Recorder } from '../../emulator/record/recorder';
import { DebugMonitor } from '../../emulator/debug/monitor';
import { PF_WATCH_R, PF_WATCH_W } from '../../emulator/memory/pageFlags';
import { BENCH_ASM } from './benchAsm';
import { benchBoot } from './boot';

const OUT = resolve('.bench');
/** Loop instructions of the default build, as bench.asm derives them (a REP instruction counts once). */
const LOOP_INSTRUCTIONS = 330_000_450;

const IMAGES: [name: string, defines: string[], what: string][] = [
  ['rm', [], 'real mode, MBR layout'],
  ['pm', ['-DPM'], '16-bit PM, MBR layout'],
  ['rms', ['-DSEPDATA'], 'real mode, separate data'],
  ['pms', ['-DPM', '-DSEPDATA'], '16-bit PM, separate data'],
];

function build(name: string, defines: string[]): string {
  mkdirSync(OUT, { recursive: true });
  const bin = join(OUT, `${name}.bin`);
  execFileSync('nasm', ['-f', 'bin', ...defines, BENCH_ASM, '-o', bin]);
  // A 1.44 MB floppy image for QEMU; Bootscope boots the sector itself.
  const img = Buffer.alloc(1474560);
  readFileSync(bin).copy(img);
  writeFileSync(join(OUT, `${name}.img`), img);
  return bin;
}

type Config = 'plain' | 'armed' | 'recording' | 'session';

function runOurs(bin: string, config: Config): { seconds: number; ok: boolean; icount: number } {
  const m = new Machine({ cpu: '80386', memoryMB: 16 });
  m.loadBootSector(readFileSync(bin), 0);
  if (config === 'armed') {
    // 1,000 code breakpoints spread over pages the benchmark never executes, and 16 watchpoints
    // (read+write) on pages it never touches: the armed loop pays the page-filter test only.
    for (let i = 0; i < 1000; i++) m.breakpoints.add(0x200000 + i * 0x1010);
    for (let p = 0; p < 16; p++) m.mem.pageFlags[0x300 + p * 7] |= PF_WATCH_R | PF_WATCH_W;
    m.mem.observer = { onRead: () => {}, onWrite: () => {} };
  }
  // Recording as a debug session has it by default: snapshots every 250,000 instructions plus the
  // copy of each page first written in an interval, within a 512 MiB budget.
  const recorder = config === 'recording' || config === 'session' ? new Recorder(m).attach() : null;
  // A debug session also attaches the monitor: shadow call stack, watchpoints, exception stops.
  if (config === 'session') new DebugMonitor(m);
  const c0 = process.cpuUsage();
  (recorder ?? m).run({ maxInstructions: 2_000_000_000 });
  const c = process.cpuUsage(c0);
  const seconds = (c.user + c.system) / 1e6;
  const text = m.devices.output().debugText;
  return { seconds, ok: text.includes('D') && !text.includes('X'), icount: m.cpu.icount };
}

/** CPU seconds of one QEMU run (bash's `times` reports its children's user and system time). */
function timeQemu(img: string): number | null {
  const cmd = `qemu-system-i386 -accel tcg -m 16 -nodefaults -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04 ` +
    `-drive file=${img},format=raw,if=floppy -boot a; s=$?; times; exit $s`;
  const r = spawnSync('bash', ['-c', cmd], { timeout: 300_000, encoding: 'utf8' });
  // isa-debug-exit: exit status 1 = (0 << 1) | 1, the benchmark's success value.
  if (r.error || r.status !== 1) return null;
  const lines = r.stdout.trim().split('\n');
  const children = lines[lines.length - 1].split(/\s+/).map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  });
  const total = children[0] + children[1];
  return Number.isFinite(total) ? total : null;
}

function main(): void {
  const haveQemu = spawnSync('qemu-system-i386', ['--version']).status === 0;
  console.log(`Bootscope benchmark — ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  console.log(`MIPS = ${LOOP_INSTRUCTIONS.toLocaleString('en')} loop instructions / loop seconds (bench.asm's count)\n`);
  const q0: Record<string, number | null> = {};
  if (haveQemu) {
    build('rm0', ['-DQUICK']);
    build('pm0', ['-DPM', '-DQUICK']);
    q0.rm = timeQemu(join(OUT, 'rm0.img'));
    q0.pm = timeQemu(join(OUT, 'pm0.img'));
  }
  const rows: string[] = ['| image | what | Bootscope MIPS (nothing armed) | Bootscope MIPS (1,000 bp + 16 wp armed) | Bootscope MIPS (recording on) | Bootscope MIPS (debug session: recording + monitor) | QEMU TCG MIPS | ratio (armed / QEMU) |', '|---|---|---|---|---|---|---|---|'];
  for (const [name, defines, what] of IMAGES) {
    const bin = build(name, defines);
    const plain = runOurs(bin, 'plain');
    const armed = runOurs(bin, 'armed');
    const recording = runOurs(bin, 'recording');
    const session = runOurs(bin, 'session');
    const mips = (s: number) => LOOP_INSTRUCTIONS / s / 1e6;
    let qemu = '—', ratio = '—';
    if (haveQemu) {
      const t = timeQemu(join(OUT, `${name}.img`));
      const start = q0[name.startsWith('pm') ? 'pm' : 'rm'];
      if (t !== null && start != null) {
        const q = mips(t - start);
        qemu = q.toFixed(1);
        ratio = (mips(armed.seconds) / q).toFixed(2);
      }
    }
    const flag = (r: { ok: boolean }) => (r.ok ? '' : ' (self-check FAILED)');
    rows.push(`| ${name} | ${what} | ${mips(plain.seconds).toFixed(1)}${flag(plain)} | ${mips(armed.seconds).toFixed(1)}${flag(armed)} | ${mips(recording.seconds).toFixed(1)}${flag(recording)} | ${mips(session.seconds).toFixed(1)}${flag(session)} | ${qemu} | ${ratio} |`);
    console.log(`${name}: ${plain.seconds.toFixed(2)} s plain, ${armed.seconds.toFixed(2)} s armed, ${recording.seconds.toFixed(2)} s recording, ${session.seconds.toFixed(2)} s session, ${plain.icount.toLocaleString('en')} instructions counted (REP elements one each)`);
  }
  console.log('\n' + rows.join('\n'));
  console.log('\n' + benchBoot());
}

main();
