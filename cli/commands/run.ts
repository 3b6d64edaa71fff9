// `bootscope run IMAGE [options]` (docs/CLI.md): boots IMAGE through the built-in BIOS (or
// a firmware image with --bios) and runs it to a stop reason; prints a summary (or --json), writes
// the JSON Lines trace. Exit 0 for any stop reason, 1 for an unusable input, 2 for usage errors.
// Node side: reads files and hands bytes to emulator/.
import { Bios, type BiosLogEntry } from '../../emulator/bios/bios';
import { CS } from '../../emulator/cpu/regs';
import { chainPath } from '../../emulator/cpu/faultChain';
import { formatChain, linkJson } from '../../emulator/debug/faultView';
import { FileError, readInputFile } from '../../host/files';
import { OutputFile, outputConflict } from '../../host/outputFile';
import { encodePng } from '../../host/png';
import { textToKeystrokes } from '../../emulator/devices/keyboard';
import { MagicBreakpoint } from '../../emulator/debug/magicBreakpoint';
import { Machine, type StopAddress, type StopInfo } from '../../emulator/machine';
import { PROFILE_NAMES, type ProfileName, VmentryMonitor } from '../../emulator/vmx';
import { Command } from 'commander';
import { loadSymbolTable } from '../../host/symbolFiles';
import type { SymbolTable } from '../../emulator/debug/symbols';
import { CLOCK_OPTION_HELP, collect, CPU_OPTION_HELP, exitWith, FIRMWARE_OPTION_HELP, FPU_OPTION_HELP, InputError, parseChoice, parseClock, parseCpuFpu, parseFirmware, parseWhole, UsageError } from '../args';
import { ICOUNT_SHIFT } from '../../host/qemu';
import { bootOrderOver, type DriveOptions, driveFilesOf, driveOptions, openDrives } from '../run/disk';
import { loadFirmware } from '../../emulator/firmware';
import { cpuMode, summary, traceLine } from '../run/state';

export interface RunOptions extends DriveOptions {
  max?: string;
  until?: string[];
  trace?: string;
  traceFrom?: string;
  keys?: string;
  bios?: string;
  vgaRom?: string;
  firmware?: string;
  screen?: boolean;
  json?: boolean;
  cpu?: string;
  clock?: string;
  memoryMb?: string;
  fpu?: string;
  profile?: string;
  breakOnVmentryFailure?: boolean;
  breakOnEmulation?: boolean;
  listEmulated?: string;
  magicBreak?: boolean;
  symbols?: string[];
  screenshot?: string;
}

export function command(): Command {
  return driveOptions(new Command('run')
    .summary('boot a disk image (or firmware) and run it to a stop')
    .description('Boot IMAGE as the first hard disk (or floppy) through the BIOS to 0000:7C00 and run it to a stop.')
    .argument('[image]', 'disk image or boot sector (optional with other drives or a firmware)'))
    .option('--max <N>', 'instruction budget (default 100000000)')
    .option('--until <ADDR>', 'stop before the instruction at ADDR: SSSS:OOOO (CS:IP) or 0xNNNN (linear); repeatable', collect)
    .option('--trace <FILE>', 'write one JSON line per instruction (the state before it) to FILE')
    .option('--trace-from <ADDR>', 'start the trace the first time ADDR is reached')
    .option('--keys <TEXT>', 'keystrokes queued for the keyboard (\\n is Enter)')
    .option('--bios <FILE>', 'boot a firmware image from the reset vector instead of the built-in BIOS')
    .option('--vga-rom <FILE>', "the standard VGA's expansion ROM for --bios firmware (e.g. SeaVGABIOS, vgabios-stdvga.bin)")
    .option('--firmware <NAME>', FIRMWARE_OPTION_HELP)
    .option('--screen', 'include the 80x25 text screen in the summary')
    .option('--screenshot <FILE>', 'write the graphics screen (VBE) at the stop to FILE as PNG')
    .option('--json', 'print the stop summary as one JSON object')
    .option('--cpu <MODEL>', CPU_OPTION_HELP)
    .option('--clock <instructions|icount>', `${CLOCK_OPTION_HELP}; default instructions`)
    .option('--memory-mb <N>', 'guest RAM in MiB, 1 to 3072 (default 64)')
    .option('--fpu <FPU>', FPU_OPTION_HELP)
    .option('--profile <NAME>', `hypervisor profile for VM-entry checks: ${PROFILE_NAMES.join(', ')}`)
    .option('--break-on-vmentry-failure', "stop where the profile's verdict becomes 'fail' (needs --profile)")
    .option('--break-on-emulation', "stop where the profile's verdict becomes 'emulate' (needs --profile)")
    .option('--list-emulated <FILE>', 'write each instruction the profile would emulate to FILE, JSON Lines (needs --profile)')
    .option('--symbols <FILE>', 'symbol file (ELF, ld -Map, nm output, Bochs ldsym; linear addresses, FILE@OFFSET relocates): trace lines name their address, --until/--trace-from take names; repeatable', collect)
    .option('--magic-break', "stop right after `xchg bx, bx`, as Bochs's magic breakpoint (stop reason breakpoint)")
    .action((image: string | undefined, opts: RunOptions) => exitWith(main(image, opts)));
}

/** `SSSS:OOOO` (hex, exact CS selector and IP), `0xNNNN` (linear) or a name of `symbols` (linear). */
export function parseAddress(text: string, what: string, symbols: SymbolTable | null = null): StopAddress {
  const so = /^([0-9a-f]{1,4}):([0-9a-f]{1,8})$/i.exec(text);
  if (so) return { kind: 'segoff', segment: parseInt(so[1], 16), offset: parseInt(so[2], 16) >>> 0 };
  if (/^0x[0-9a-f]{1,8}$/i.test(text)) return { kind: 'linear', address: parseInt(text.slice(2), 16) >>> 0 };
  const sym = symbols?.lookup(text);
  if (sym !== undefined) return { kind: 'linear', address: sym };
  throw new UsageError(`${what}: '${text}' is not an address (SSSS:OOOO, 0xNNNN${symbols ? ' or a name of --symbols' : ''})`);
}

export async function main(imageFile: string | undefined, opts: RunOptions): Promise<number> {
  // The hypervisor's verdict is evaluated at every instruction boundary only when a profile is asked for.
  const profile: ProfileName | null = opts.profile === undefined ? null : parseChoice(opts.profile, '--profile', PROFILE_NAMES);
  const breakOnFailure = opts.breakOnVmentryFailure === true;
  const breakOnEmulation = opts.breakOnEmulation === true;
  const listFile = opts.listEmulated;
  if ((breakOnFailure || breakOnEmulation || listFile !== undefined) && profile === null) {
    throw new UsageError('--break-on-vmentry-failure, --break-on-emulation and --list-emulated need --profile NAME');
  }
  const { bios: firmwareFile, vgaRom: vgaRomFile } = parseFirmware(opts);
  const { files: driveFiles, order } = driveFilesOf(imageFile, opts, firmwareFile !== undefined);
  const max = opts.max === undefined ? 100_000_000 : parseWhole(opts.max, '--max');
  const symbols = opts.symbols ? loadSymbolTable(opts.symbols) : null;
  const until = (opts.until ?? []).map((t) => parseAddress(t, '--until', symbols));
  const traceFrom = opts.traceFrom === undefined ? null : parseAddress(opts.traceFrom, '--trace-from', symbols);
  const traceFile = opts.trace;
  if (traceFrom && !traceFile) throw new UsageError('--trace-from needs --trace FILE');
  const { cpu: cpuModel, fpu } = parseCpuFpu(opts.cpu, opts.fpu);
  const clock = parseClock(opts.clock, 'instructions');
  const memoryMB = opts.memoryMb === undefined ? 64 : parseWhole(opts.memoryMb, '--memory-mb', 1, 3072);
  const keys = opts.keys;
  if (keys !== undefined) {
    try {
      textToKeystrokes(keys);
    } catch (e) {
      throw new UsageError(`--keys: ${(e as Error).message}`);
    }
  }

  const outputs = [
    ...(traceFile === undefined ? [] : [{ what: '--trace', path: traceFile }]),
    ...(listFile === undefined ? [] : [{ what: '--list-emulated', path: listFile }]),
    ...(opts.screenshot === undefined ? [] : [{ what: '--screenshot', path: opts.screenshot }]),
  ];
  const inputs = [
    ...(imageFile === undefined ? [] : [{ what: 'image', path: imageFile }]),
    ...driveFiles.hd.map((path) => ({ what: '--hd', path })),
    ...driveFiles.fd.map((path) => ({ what: '--fd', path })),
    ...(driveFiles.cdrom === null ? [] : [{ what: '--cdrom', path: driveFiles.cdrom }]),
    ...(firmwareFile === undefined ? [] : [{ what: '--bios', path: firmwareFile }]),
    ...(vgaRomFile === undefined ? [] : [{ what: '--vga-rom', path: vgaRomFile }]),
    ...(opts.symbols ?? []).map((path) => ({ what: '--symbols', path })),
  ];
  const conflict = outputConflict(outputs, inputs);
  if (conflict) throw new UsageError(conflict);
  const drives = openDrives(imageFile, driveFiles);
  const bootOrder = bootOrderOver(drives, order);
  const firmware = firmwareFile === undefined ? null : new Uint8Array(readInputFile(firmwareFile, 'firmware image'));
  const vgaRom = vgaRomFile === undefined ? null : new Uint8Array(readInputFile(vgaRomFile, 'VGA ROM'));

  const m = new Machine({
    cpu: cpuModel, fpu, memoryMB, keys, firmware: firmware !== null, ...(clock === 'icount' ? { icountShift: ICOUNT_SHIFT } : {}),
    floppies: drives.floppies, hardDisks: drives.hardDisks, cdrom: drives.cdrom, bootOrder,
  });
  const warnings: string[] = [];
  let bios: Bios | null = null;
  if (firmware) {
    const problem = loadFirmware(m, firmware, vgaRom);
    if (problem) throw new InputError(`firmware image '${firmwareFile}': ${problem}`);
    // Attached all the same, as QEMU attaches any file as a CD: the firmware passes it over.
    const cdProblem = drives.cdrom?.bootProblem();
    if (cdProblem) warnings.push(`${cdProblem}; the firmware will pass the CD over`);
  } else {
    bios = new Bios();
    bios.install(m);
    if (!bios.boot()) throw new InputError(bios.log[bios.log.length - 1].message);
    // The disk layer's missing-55AA warning is replaced by the BIOS's, which says what it does.
    warnings.push(...[...drives.floppies, ...drives.hardDisks].flatMap((d) => d.warnings).filter((w) => !w.includes('55 AA')), ...bios.warnings);
  }
  for (const w of warnings) process.stderr.write(`bootscope run: warning: ${w}\n`);

  const started = Date.now();
  let lastProgress = started;
  const shouldCancel = () => {
    const now = Date.now();
    if (now - lastProgress >= 1000) {
      lastProgress = now;
      const pc = `${m.cpu.sel[CS].toString(16).padStart(4, '0')}:${(m.cpu.eip >>> 0).toString(16).padStart(4, '0')}`;
      process.stderr.write(`bootscope run: ${m.cpu.icount} instructions, ${cpuMode(m.cpu)} at ${pc}, ${((now - started) / 1000).toFixed(0)} s\n`);
    }
    return false;
  };

  const trace = traceFile === undefined ? null : new OutputFile('--trace', traceFile);
  const list = listFile === undefined ? null : new OutputFile('--list-emulated', listFile);
  const monitor = profile ? new VmentryMonitor({ profile, breakOnFailure, breakOnEmulation, listEmulated: listFile !== undefined }) : null;
  const magic = new MagicBreakpoint(m);
  magic.arm(opts.magicBreak === true);
  let stop: StopInfo;
  const end = max;
  try {
    stop = runAll(m, bios, { until, traceFrom, trace, end, shouldCancel, monitor, symbols });
    const hit = magic.takeHit();
    if (hit) stop = { reason: 'breakpoint', detail: hit };
  } catch (e) {
    if (e instanceof FileError) throw e;
    // An emulator bug, not the guest's doing: the run still ends with a summary, stop reason 'error'.
    stop = { reason: 'error', detail: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    process.stderr.write(`bootscope run: ${stop.detail}\n${e instanceof Error ? e.stack : ''}\n`);
  }
  trace?.commit();

  const log: BiosLogEntry[] = bios?.log ?? [];
  const vmentry = monitor ? monitor.summary(m) : undefined;
  if (monitor && list) {
    for (const e of monitor.finish(m)) list.write(JSON.stringify(e) + '\n');
    list.commit();
  }
  if (opts.json) {
    const s = summary(m, { stopReason: stop.reason, detail: stop.detail, screen: opts.screen === true, biosLog: log, warnings });
    if (vmentry) s.vmentry = vmentry;
    if (m.cpu.faultChain.length) s.fault = { chain: m.cpu.faultChain.map(linkJson) };
    process.stdout.write(JSON.stringify(s) + '\n');
  } else {
    printHuman(m, stop, log, opts.screen === true);
    if (vmentry) printVerdict(vmentry);
  }
  if (opts.screenshot !== undefined) return screenshot(m, opts.screenshot);
  return 0;
}

/** --screenshot: the graphics screen as PNG; in text mode nothing is written (exit 1, one line). */
function screenshot(m: Machine, path: string): number {
  const frame = m.devices.graphicsFrame();
  if (!frame) {
    process.stderr.write(`bootscope run: --screenshot '${path}': the screen is in VGA text mode at the stop, not a graphics mode; nothing written (--screen prints the text)\n`);
    return 1;
  }
  const out = new OutputFile('--screenshot', path);
  out.writeBytes(encodePng(frame.width, frame.height, frame.rgba));
  out.commit();
  return 0;
}

interface RunPlan {
  until: StopAddress[];
  traceFrom: StopAddress | null;
  trace: OutputFile | null;
  end: number;
  shouldCancel: () => boolean;
  monitor: VmentryMonitor | null;
  symbols: SymbolTable | null;
}

/**
 * Runs to a stop. Without a VM-entry monitor, the part before --trace-from runs on the fast path
 * (an `until` stop); with one, every instruction goes through the hook from the start.
 */
function runAll(m: Machine, bios: Bios | null, p: RunPlan): StopInfo {
  const left = () => Math.max(0, p.end - m.cpu.icount);
  let tracing = p.trace !== null && p.traceFrom === null;
  if (p.trace && p.traceFrom && !p.monitor) {
    const s = m.run({ maxInstructions: left(), until: [...p.until, p.traceFrom], shouldCancel: p.shouldCancel });
    const atUserUntil = s.reason === 'until' && p.until.some((a) => addressMatches(m, a));
    if (s.reason !== 'until' || atUserUntil) return s;
    tracing = true;
  }
  const { trace, traceFrom, monitor, symbols } = p;
  const hook = trace || monitor
    ? (mm: Machine) => {
        const cpu = mm.cpu;
        const lin = (cpu.base[CS] + cpu.eip) >>> 0;
        // BIOS traps are not instructions: no trace record, no verdict (their effects show at the next one).
        if (lin >= 0xf0000 && bios?.isTrapAt(lin)) return null;
        if (monitor) {
          const r = monitor.beforeInstruction(mm);
          if (r) return r;
        }
        if (!trace) return null;
        if (!tracing) {
          if (!traceFrom || !addressMatches(mm, traceFrom)) return null;
          tracing = true;
        }
        trace.write(traceLine(cpu, symbols?.nearest(lin)));
        return null;
      }
    : null;
  return m.run({ maxInstructions: left(), until: p.until, beforeInstruction: hook, shouldCancel: p.shouldCancel });
}

function printVerdict(v: ReturnType<VmentryMonitor['summary']>): void {
  const lines = [`vm entry (${v.profile}): ${v.verdict}${v.reason ? ` — ${v.reason}` : ''}`];
  for (const f of v.failures) lines.push(`  SDM ${f.section} ${f.id}: ${f.message}`);
  process.stdout.write(lines.join('\n') + '\n');
}

function addressMatches(m: Machine, a: StopAddress): boolean {
  if (a.kind === 'linear') return a.address === m.pcLinear;
  return a.segment === m.cpu.sel[CS] && a.offset === m.cpu.eip;
}

function printHuman(m: Machine, stop: StopInfo, log: BiosLogEntry[], screen: boolean): void {
  const cpu = m.cpu;
  const h = (v: number, d: number) => (v >>> 0).toString(16).padStart(d, '0');
  const out = m.devices.output();
  const lines = [
    `stop: ${stop.reason}${stop.detail ? ` (${stop.detail})` : ''}`,
    `instructions: ${cpu.icount}`,
    `mode: ${cpuMode(cpu)}  cs:eip ${h(cpu.sel[CS], 4)}:${h(cpu.eip, 8)}  cr0 ${h(cpu.cr0, 8)}`,
  ];
  if (cpu.faultChain.length) lines.push(`fault chain ${chainPath(cpu.faultChain)}:`, ...formatChain(cpu.faultChain).map((l) => `  ${l}`));
  if (out.serialText) lines.push('serial:', ...out.serialText.replace(/\n$/, '').split('\n').map((l) => `  ${l}`));
  if (out.debugText) lines.push('port e9:', ...out.debugText.replace(/\n$/, '').split('\n').map((l) => `  ${l}`));
  if (out.postCodes.length) lines.push(`post codes (${out.postCodes.length}${out.postCodes.length > 32 ? ', the last 32' : ''}): ${out.postCodes.slice(-32).map((c) => h(c, 2)).join(' ')}`);
  if (log.length) lines.push('bios log:', ...log.map((e) => `  [${e.n}] ${e.message}`));
  const graphics = m.devices.vbe.mode();
  if (graphics) lines.push(`graphics: ${graphics.width}x${graphics.height}, ${graphics.bpp} bits a pixel (VBE; --screenshot FILE.png writes it)`);
  if (screen) lines.push(graphics ? 'screen (text memory, not shown while in graphics):' : 'screen:', ...m.devices.screenLines({ trimEnd: true }).map((l) => `  |${l}`));
  process.stdout.write(lines.join('\n') + '\n');
}
