// `npm run bench`: throughput on the layouts of test/bench/bench.asm (benchAsm.ts lists them: real mode,
// 16-bit PM, 16-bit PM with paging, 32-bit flat PM; MBR layout and separate data), in process with
// nothing armed, with 1,000 code breakpoints + 16 data watchpoints armed (none hit), with recording on
// and as in a debug session (recording and the debugger's monitor); then as users run it, through
// `bootscope run` and through a DAP session with the adapter VS Code runs; beside QEMU when it is
// installed. Each cell is measured BENCH_REPS times (default 10) and shown as min / median / max;
// BENCH_LAYOUTS=rm,pg picks layouts.
// Numbers, not pass/fail: the README quotes them with machine and date. In-process and QEMU times
// are CPU seconds (user + system) of the emulating process, so other load on the shared machine
// distorts the comparison less; `bootscope run` and the DAP session are timed in wall time as
// a user sees it (start-up subtracted: the QUICK build of the layout), with their CPU seconds beside.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Machine } from '../../emulator/machine';
import { Recorder } from '../../emulator/record/recorder';
import { DebugMonitor } from '../../emulator/debug/monitor';
import { PF_WATCH_R, PF_WATCH_W } from '../../emulator/memory/pageFlags';
import { cpuMilliseconds } from '../../host/cpuTime';
import { tuneV8 } from '../../host/v8Flags';
import { assembleBench, BENCH_LAYOUTS, type BenchLayout, LOOP_INSTRUCTIONS } from './benchAsm';
import { benchBoot, benchMemtest } from './boot';

const OUT = resolve('.bench');
const CLI = resolve('dist', 'cli.js');
const ADAPTER = resolve('dist', 'debugAdapter.js');
/** Enough for the default loop's 405,000,450 instructions in Bootscope's count (REP elements one each). */
const MAX = 2_000_000_000;

/** Writes the boot sector and a 1.44 MB floppy image of it (QEMU boots that; `bootscope run` and DAP too). */
function build(name: string, defines: string[]): { bin: string; img: string } {
  mkdirSync(OUT, { recursive: true });
  const sector = assembleBench(defines);
  const bin = join(OUT, `${name}.bin`), img = join(OUT, `${name}.img`);
  writeFileSync(bin, sector);
  const disk = Buffer.alloc(1474560);
  disk.set(sector);
  writeFileSync(img, disk);
  return { bin, img };
}

type Config = 'plain' | 'armed' | 'recording' | 'session';
const CONFIGS: Config[] = ['plain', 'armed', 'recording', 'session'];

/** One in-process run of the loop; CPU seconds of run() only. */
function runOurs(bin: string, config: Config): { seconds: number; ok: boolean } {
  const m = new Machine({ cpu: '80386', memoryMB: 16 });
  m.loadBootSector(readFileSync(bin), 0);
  if (config === 'armed') {
    // 1,000 code breakpoints spread over pages the benchmark never executes, and 16 watchpoints
    // (read+write) on pages it never touches: the armed loop pays the page-filter test only.
    for (let i = 0; i < 1000; i++) m.breakpoints.add(0x200000 + i * 0x1010);
    for (let p = 0; p < 16; p++) m.mem.pageFlags[0x300 + p * 7] |= PF_WATCH_R | PF_WATCH_W;
    m.mem.observer = { onRead: () => {}, onWrite: () => {} };
  }
  // Recording as a debug session has it by default: a snapshot every 8 ms of CPU time plus the copy
  // of each page first written in an interval, within a 512 MiB budget.
  const recorder = config === 'recording' || config === 'session' ? new Recorder(m, { clock: cpuMilliseconds }).attach() : null;
  // A debug session also attaches the monitor: shadow call stack, watchpoints, exception stops.
  if (config === 'session') new DebugMonitor(m);
  const c0 = process.cpuUsage();
  (recorder ?? m).run({ maxInstructions: MAX });
  const c = process.cpuUsage(c0);
  const text = m.devices.output().debugText;
  return { seconds: (c.user + c.system) / 1e6, ok: text === 'D' };
}

interface ChildTime {
  wall: number;
  /** User + system seconds of the child (bash's `times`). */
  cpu: number;
  status: number | null;
  stdout: string;
}

/** Runs `cmd` under bash; its wall time and its children's CPU seconds (the last line `times` prints). */
function timeChild(cmd: string): ChildTime {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `${cmd}; s=$?; times; exit $s`], { timeout: 900_000, encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = (performance.now() - t0) / 1000;
  const lines = (r.stdout ?? '').trim().split('\n');
  const children = (lines[lines.length - 1] ?? '').split(/\s+/).map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  });
  return { wall, cpu: children[0] + children[1], status: r.error ? null : r.status, stdout: lines.slice(0, -2).join('\n') };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** QEMU TCG on the floppy image; isa-debug-exit status 1 = (0 << 1) | 1 is the benchmark's success value. */
function runQemu(img: string): ChildTime | null {
  const t = timeChild(`qemu-system-i386 -accel tcg -m 16 -nodefaults -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04 ` +
    `-drive file=${quote(img)},format=raw,if=floppy -boot a`);
  return t.status === 1 && Number.isFinite(t.cpu) ? t : null;
}

/** `bootscope run IMAGE` as a user types it (the image as the first hard disk, through the BIOS). */
function runCli(img: string): ChildTime | null {
  const t = timeChild(`${quote(process.execPath)} ${quote(CLI)} run ${quote(img)} --max ${MAX} 2>/dev/null`);
  return t.status === 0 && /port e9:\n {2}D$/m.test(t.stdout) && Number.isFinite(t.cpu) ? t : null;
}

/** DebugClient speaking to an adapter process this benchmark spawned (so it knows its pid). */
class StdioClient extends DebugClient {
  constructor() {
    super(process.execPath, ADAPTER, 'bootscope');
  }

  attach(readable: Readable, writable: Writable): void {
    this.connect(readable, writable);
  }
}

/** User + system seconds of a live process from /proc (Linux); null elsewhere. */
function procCpu(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // Fields 14 and 15 of stat (utime, stime) in clock ticks, 100 per second on Linux.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * A DAP session with the adapter VS Code runs (dist/debugAdapter.js over stdio): launch with the
 * defaults (recording on) and stopOnEntry false, then wall time from configurationDone to the stop
 * at the final HLT, and the adapter's CPU seconds over the same span.
 */
async function runDap(img: string): Promise<{ wall: number; cpu: number | null } | null> {
  const p = spawn(process.execPath, [ADAPTER], { stdio: ['pipe', 'pipe', 'ignore'] });
  const dc = new StdioClient();
  dc.attach(p.stdout, p.stdin);
  try {
    await dc.initializeRequest({ adapterID: 'bootscope', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const initialized = dc.waitForEvent('initialized', 60_000);
    await dc.launchRequest({ image: img, stopOnEntry: false } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    const stopped = dc.waitForEvent('stopped', 900_000);
    const c0 = procCpu(p.pid!);
    const t0 = performance.now();
    await dc.configurationDoneRequest();
    const e = (await stopped) as DebugProtocol.StoppedEvent;
    const wall = (performance.now() - t0) / 1000;
    const c1 = procCpu(p.pid!);
    const ok = e.body.reason === 'exception' && /HLT with interrupts disabled/.test(e.body.text ?? '');
    return ok ? { wall, cpu: c0 === null || c1 === null ? null : c1 - c0 } : null;
  } finally {
    await dc.disconnectRequest({}).catch(() => {});
    p.kill();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const mips = (seconds: number) => LOOP_INSTRUCTIONS / seconds / 1e6;

/** "min / median / max" MIPS of loop times (a failed run is a '✗' in its cell). */
function cell(times: (number | null)[]): string {
  if (times.length === 0) return '—';
  const ok = times.filter((t): t is number => t !== null && t > 0);
  const failed = times.length - ok.length;
  if (ok.length === 0) return `✗ ×${failed}`;
  const m = ok.map(mips);
  return `${fmt(Math.min(...m))} / ${fmt(median(m))} / ${fmt(Math.max(...m))}${failed ? ` (✗ ×${failed})` : ''}`;
}

function medianMips(times: (number | null)[]): number | null {
  const ok = times.filter((t): t is number => t !== null && t > 0);
  return ok.length ? mips(median(ok)) : null;
}

interface Cells {
  ours: Record<Config, (number | null)[]>;
  runWall: (number | null)[];
  runCpu: (number | null)[];
  dapWall: (number | null)[];
  dapCpu: (number | null)[];
  qemu: (number | null)[];
}

async function main(): Promise<void> {
  const reps = Number(process.env.BENCH_REPS ?? 10);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`BENCH_REPS must be a whole number ≥ 1, not '${process.env.BENCH_REPS}'`);
  const only = process.env.BENCH_LAYOUTS?.split(',');
  const layouts: BenchLayout[] = only ? BENCH_LAYOUTS.filter((l) => only.includes(l.name)) : [...BENCH_LAYOUTS];
  const unknown = only?.filter((n) => !BENCH_LAYOUTS.some((l) => l.name === n)) ?? [];
  if (unknown.length || layouts.length === 0) throw new Error(`BENCH_LAYOUTS: unknown layout '${unknown.join(',')}' (${BENCH_LAYOUTS.map((l) => l.name).join(', ')})`);
  if (!existsSync(CLI) || !existsSync(ADAPTER)) throw new Error('dist/cli.js or dist/debugAdapter.js missing: run node scripts/build.mjs --bench');
  const haveQemu = spawnSync('qemu-system-i386', ['--version']).status === 0;
  console.log(`Bootscope benchmark — ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}, node ${process.version}, ${new Date().toISOString().slice(0, 16)} UTC, ${reps} repetitions`);
  console.log(`MIPS = ${LOOP_INSTRUCTIONS.toLocaleString('en')} loop instructions / loop seconds (bench.asm's count); cells: min / median / max\n`);

  const images = layouts.map((l) => ({ layout: l, full: build(l.name, l.defines), quick: build(`${l.name}0`, [...l.defines, '-DQUICK']) }));
  const cells = new Map<string, Cells>(layouts.map((l) => [l.name, {
    ours: { plain: [], armed: [], recording: [], session: [] }, runWall: [], runCpu: [], dapWall: [], dapCpu: [], qemu: [],
  }]));
  // Repetitions outermost, so a change in the machine's load spreads over every cell alike.
  for (let rep = 1; rep <= reps; rep++) {
    for (const { layout, full, quick } of images) {
      const c = cells.get(layout.name)!;
      const line: string[] = [];
      for (const config of CONFIGS) {
        const r = runOurs(full.bin, config);
        c.ours[config].push(r.ok ? r.seconds : null);
        line.push(`${config} ${r.seconds.toFixed(2)}${r.ok ? '' : ' ✗'}`);
      }
      // Start-up (node, bundle, BIOS, mode switch) is the QUICK build's time, measured each time too.
      const run = runCli(full.img), run0 = runCli(quick.img);
      c.runWall.push(run && run0 ? run.wall - run0.wall : null);
      c.runCpu.push(run && run0 ? run.cpu - run0.cpu : null);
      line.push(`run ${run ? `${run.wall.toFixed(2)} wall ${run.cpu.toFixed(2)} cpu` : '✗'} (start-up ${run0 ? run0.wall.toFixed(2) : '✗'})`);
      const dap = await runDap(full.img).catch(() => null);
      c.dapWall.push(dap ? dap.wall : null);
      c.dapCpu.push(dap?.cpu ?? null);
      line.push(`dap ${dap ? `${dap.wall.toFixed(2)} wall ${dap.cpu?.toFixed(2) ?? '?'} cpu` : '✗'}`);
      if (haveQemu) {
        const q = runQemu(full.img), q0 = runQemu(quick.img);
        c.qemu.push(q && q0 ? q.cpu - q0.cpu : null);
        line.push(`qemu ${q ? q.cpu.toFixed(2) : '✗'} cpu`);
      }
      console.log(`rep ${rep} ${layout.name}: ${line.join(', ')} (seconds)`);
    }
  }

  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? (a / b).toFixed(2) : '—');
  console.log('\nIn process (CPU seconds of run()):\n');
  const rows = ['| image | what | nothing armed | 1,000 bp + 16 wp armed | recording on | debug session (recording + monitor) | QEMU TCG | armed / QEMU (medians) |', '|---|---|---|---|---|---|---|---|'];
  for (const { layout } of images) {
    const c = cells.get(layout.name)!;
    rows.push(`| ${layout.name} | ${layout.what} | ${CONFIGS.map((k) => cell(c.ours[k])).join(' | ')} | ${haveQemu ? cell(c.qemu) : '—'} | ${ratio(medianMips(c.ours.armed), medianMips(c.qemu))} |`);
  }
  console.log(rows.join('\n'));
  console.log('\nAs users run it (`bootscope run IMAGE`; a DAP session of dist/debugAdapter.js with recording on):\n');
  const user = ['| image | `bootscope run` wall | `bootscope run` CPU | DAP session wall | DAP session CPU | run CPU / in process (medians) | run CPU / QEMU (medians) |', '|---|---|---|---|---|---|---|'];
  for (const { layout } of images) {
    const c = cells.get(layout.name)!;
    user.push(`| ${layout.name} | ${cell(c.runWall)} | ${cell(c.runCpu)} | ${cell(c.dapWall)} | ${cell(c.dapCpu)} | ${ratio(medianMips(c.runCpu), medianMips(c.ours.plain))} | ${ratio(medianMips(c.runCpu), medianMips(c.qemu))} |`);
  }
  console.log(user.join('\n'));
  console.log('\n' + benchBoot());
  console.log(benchMemtest());
}

// In process as in the CLI and the adapter (a benchmark of the product's settings).
tuneV8();
main().catch((e: Error) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
