// QEMU as the reference machine (`bootscope compare`, launch compareWith, test/boot/qemu.test.ts):
// qemu-system-i386 (TCG) + SeaBIOS boot an image with per-instruction logging (-singlestep -d cpu,exec,nochain
// -dfilter 0x500..0x9ffff: one record per guest instruction, REP iterations included, BIOS code not
// logged) and this reads the log while it is written, from the first execution of 0000:7C00, handing
// each block of records to the caller until it has seen enough; then QEMU is killed. Streamed, so
// memory stays bounded however long the run: the caller handles a block before the next is read,
// and QEMU waits on the full FIFO meanwhile.
//
// -icount shift=8,sleep=off: QEMU's virtual clock follows its instruction count (256 ns each, near
// our 4.77 MHz), not the host clock, so where its timer interrupts land is the same from run to run
// rather than a function of how fast the log is read.
//
// The log goes through a FIFO rather than `-D /dev/stdout`: where /dev/stdout is not the
// /proc/self/fd/1 link (it is a plain file on some machines) QEMU writes the log into that file.
// With accel kvm the same stream comes from single steps through QEMU's gdbstub (qemuGdb.ts).
// Node only.
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { SmbiosQuirks } from '../emulator/bios/smbios';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EBX } from '../emulator/cpu/regs';
import { GUEST_HIGH, GUEST_LOW, type TraceRecord } from '../emulator/record/lockstep';
import { parseQemuLog } from '../emulator/record/traceDiff';
import type { QemuAccel } from '../protocol/launchConfig';
import { type BootDrive, type BootOrder, QEMU_BOOT_LETTERS } from '../protocol/bootOrder';
import { idePlace } from '../emulator/devices/pcDevices';
import { stepQemuKvm } from './qemuGdb';

export const QEMU = 'qemu-system-i386';
export const ICOUNT_SHIFT = 8;

/** Why QEMU (`binary`, by default qemu-system-i386 on PATH) cannot be run, or null when it can. */
export function qemuMissing(binary = QEMU): string | null {
  const q = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return q.status === 0 ? null : `${binary} is not installed or does not run (Debian: apt-get install qemu-system-x86)`;
}

/** Why QEMU cannot run the guest with `accel` here, or null when it can (`device`: KVM's device node). */
export function accelProblem(accel: QemuAccel, device = '/dev/kvm'): string | null {
  if (accel === 'tcg') return null;
  if (!existsSync(device)) return `accel kvm needs ${device}, which this machine does not have (no KVM here, or its module is not loaded: use tcg)`;
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
  } catch {
    return `accel kvm: ${device} exists but this user may not open it (add the user to its group, usually kvm)`;
  }
  return null;
}

/**
 * What to know of this host's KVM for a comparison with it, or null: a CPU whose flags show neither
 * vmx nor svm (`cpuinfo`, /proc/cpuinfo's text) while /dev/kvm works is a KVM without hardware
 * virtualisation in this guest's reach (paravirtual, such as PVM, or nested without it), where KVM's
 * instruction emulator, not the CPU, may run real mode and 16-bit code.
 */
export function kvmNote(cpuinfo: string): string | null {
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1].split(/\s+/) ?? [];
  if (flags.includes('vmx') || flags.includes('svm')) return null;
  return 'this host\'s CPU flags show neither vmx nor svm: its KVM is paravirtual or nested without hardware virtualisation, so KVM\'s instruction emulator, not the CPU, may be what runs real-mode and 16-bit code';
}

/** The image files of a machine's drives, each kind in its places' order (floppy A, B; the hard disks as given). */
export interface QemuDrives {
  floppies: string[];
  hardDisks: string[];
  cdrom: string | null;
}

export interface QemuBoot {
  /** The QEMU binary (default qemu-system-i386 on PATH). */
  binary?: string;
  /** The drives, opened read-only (snapshot=on), on the places Bootscope's machine has them. */
  drives: QemuDrives;
  /** The boot order over them (-boot order= from its kinds, a bootindex on each drive it lists): Machine.bootOrder. */
  bootOrder: BootOrder;
  memoryMB: number;
  /** Arguments added at the end of the command line (launch compareWith.qemu.args). */
  args?: readonly string[];
  /** tcg (default): QEMU's per-instruction log; kvm: the host CPU, single-stepped through the gdbstub (host/qemuGdb.ts). */
  accel?: QemuAccel;
  /** A firmware image in place of QEMU's own SeaBIOS (-bios), and the standard VGA's ROM in place of its SeaVGABIOS. */
  bios?: string;
  vgaRom?: string;
  /**
   * Log from the reset vector on, every linear address (no -dfilter; records number from 0 at
   * F000:FFF0), QEMU told to be Bootscope's Pentium machine (MACHINE_ALIKE, and a VGA without the
   * EDID blob ours does not have); needs `bios`.
   */
  fromReset?: boolean;
  /** false: the machine without ACPI (-machine acpi=off: no PIIX4 ACPI function, no ACPI tables). */
  acpi?: boolean;
}

/**
 * QEMU options that make its PC Bootscope's wherever it has one, for a firmware compared from reset
 * (what the firmware reads and would otherwise find different): the Pentium model's CPUID (signature
 * 52Ch, no APIC, MMX, DE or MCE, no hypervisor bit or leaf, whose signature SeaBIOS stores and
 * compares), no System Management Mode (then QEMU's PIIX4 reports SeaBIOS's SMM set-up done, as
 * ours does: DEVACTB APMC_EN), no kvmvapic ROM (it serves a local APIC neither has), the disk's model name, a debug
 * console at 402h (SeaBIOS reads the port to find one), the SMBIOS strings ours has (and the processor
 * speed: 4 MHz, our clock under -icount shift=8, 2^8 ns an instruction), the RTC starting at ours' date (emulator/devices/README.md).
 */
export const MACHINE_ALIKE: readonly string[] = [
  '-cpu', 'pentium,family=5,model=2,stepping=12,-apic,-mmx,-de,-mce,-hypervisor,tcg-cpuid=off', '-global', 'apic-common.vapic=off',
  '-machine', 'smm=off', '-global', 'ide-hd.model=BOOTSCOPE HARDDISK', '-chardev', 'null,id=debugcon', '-device', 'isa-debugcon,iobase=0x402,chardev=debugcon',
  '-smbios', 'type=1,manufacturer=Bootscope,version=1', '-smbios', 'type=3,manufacturer=Bootscope,version=1',
  '-smbios', 'type=4,manufacturer=Bootscope,version=Bootscope pentium,max-speed=4,current-speed=4', '-smbios', 'type=17,manufacturer=Bootscope',
  '-rtc', 'base=2024-01-01T00:00:00,clock=vm',
];

/**
 * Where QEMU 7.2's CPUID under MACHINE_ALIKE's -cpu answers otherwise than the Pentium model, given to
 * our model for a comparison from reset: QEMU answers any leaf above the highest (1) as leaf 1, as
 * the SDM allows (Vol. 2A CPUID), where the model answers zeros, except 40000000h and 40000001h, which
 * it keeps for a hypervisor and answers with zeros even without the hypervisor bit (SeaBIOS scans
 * 40000000h-4000FF00h); and it puts a CLFLUSH line size of 8 quadwords in leaf 1's EBX[15:8].
 * SeaBIOS stores the answers and reads them back, so excusing CPUID's outputs alone would not keep
 * the two in step.
 */
export function qemuCpuidQuirks(leaf: number, r32: Uint32Array, answer: (leaf: number) => void): void {
  if (leaf === 0 || leaf === 0x40000000 || leaf === 0x40000001) return;
  answer(1);
  r32[EBX] = 8 << 8;
}

/**
 * SMBIOS fields QEMU 7.2's -smbios cannot set, given to our fw_cfg tables for a comparison from reset
 * (as qemuCpuidQuirks): processor family 01h "Other" (ours names the Pentium, 0Bh), the memory array's
 * location 01h "Other" (ours: 03h, the system board) and error correction 06h "Multi-bit ECC" (ours:
 * 03h, none). SeaBIOS copies the tables into the F segment, where its search for an RSDP reads them.
 */
export const QEMU_SMBIOS_QUIRKS: SmbiosQuirks = { processorFamily: 0x01, memoryArrayLocation: 0x01, memoryErrorCorrection: 0x06 };

/** QEMU's -drive file name: a comma in it is read as the next option, and doubling it escapes it. */
const driveFile = (path: string) => path.replaceAll(',', ',,');

/**
 * The drives on Bootscope's places (the hard disks and CD on the IDE places pcDevices.ts idePlace
 * gives, the floppies A and B), each opened read-only (snapshot=on); `-boot order=` from the boot
 * order's kinds (the CMOS order) and a bootindex on each drive it lists, so fw_cfg's bootorder names
 * them as ours does.
 */
function driveArgs(d: QemuDrives, order: BootOrder): string[] {
  const bootindex = (drive: BootDrive) => order.listed.findIndex((x) => x.kind === drive.kind && x.index === drive.index);
  const ide = (path: string, drive: BootDrive, device: 'ide-hd' | 'ide-cd') => {
    const place = idePlace(drive, d.cdrom !== null), id = `${drive.kind}${drive.index}`, at = bootindex(drive);
    return ['-drive', `file=${driveFile(path)},format=raw,if=none,id=${id},snapshot=on${device === 'ide-cd' ? ',media=cdrom' : ''}`,
      '-device', `${device},drive=${id},bus=ide.${place >> 1},unit=${place & 1}${at >= 0 ? `,bootindex=${at}` : ''}`];
  };
  return [
    ...d.hardDisks.flatMap((path, index) => ide(path, { kind: 'hd', index }, 'ide-hd')),
    ...(d.cdrom === null ? [] : ide(d.cdrom, { kind: 'cdrom', index: 0 }, 'ide-cd')),
    ...d.floppies.flatMap((path, index) => {
      const at = bootindex({ kind: 'fd', index });
      return ['-drive', `file=${driveFile(path)},format=raw,if=floppy,index=${index},snapshot=on`, ...(at >= 0 ? ['-global', `isa-fdc.bootindex${'AB'[index]}=${at}`] : [])];
    }),
    '-boot', `order=${order.kinds.map((k) => QEMU_BOOT_LETTERS[k]).join('')}`,
  ];
}

/** The machine: its drives, no devices beyond the PC's own (COM1 among them, as Bootscope's, its output dropped). */
export function machineArgs(boot: QemuBoot): string[] {
  return [
    '-nodefaults', ...(boot.vgaRom ? ['-vga', 'none', '-device', `VGA,romfile=${boot.vgaRom.replaceAll(',', ',,')}${boot.fromReset ? ',edid=off' : ''}`] : ['-vga', 'std']),
    ...(boot.bios ? ['-bios', boot.bios] : []), '-display', 'none', '-m', String(boot.memoryMB),
    ...driveArgs(boot.drives, boot.bootOrder),
    '-serial', 'null', '-monitor', 'none', ...(boot.acpi === false ? ['-machine', 'acpi=off'] : []),
  ];
}

/** The TCG command line: the machine with its per-instruction log going to `log`. */
export function qemuArgs(boot: QemuBoot, log: string): string[] {
  return [
    ...machineArgs(boot),
    '-icount', `shift=${ICOUNT_SHIFT},sleep=off`,
    '-singlestep', '-d', 'cpu,exec,nochain', ...(boot.fromReset ? MACHINE_ALIKE : ['-dfilter', `0x${GUEST_LOW.toString(16)}..0x${GUEST_HIGH.toString(16)}`]), '-D', log,
    ...(boot.args ?? []),
  ];
}

/** Seconds without a guest record after which QEMU's guest is taken to run outside the logged range. */
export const IDLE_SECONDS = 30;

export interface QemuStream {
  /** QEMU logged no guest record for IDLE_SECONDS: its guest runs outside 0x500..0x9FFFF (or is stuck in the BIOS). */
  idle: boolean;
  /** Guest records handed over (from the first 0000:7C00 on, SMM records dropped). */
  records: number;
  /** Wall-clock seconds from QEMU's start to its kill. */
  seconds: number;
}

/** One run of QEMU streaming guest records (streamQemu, stepQemuKvm's gdbstub steps), as runQemu ends it. */
export interface QemuRun {
  /** Guest records handed over so far. */
  count: number;
  /** QEMU's stderr so far. */
  stderr: string;
  /** The run has ended; nothing more is handed over. */
  done: boolean;
  /** Ends the run: resolves with the count (`idled`: no record came for IDLE_SECONDS) or rejects with `err`. */
  finish(err: Error | null, idled?: boolean): void;
  /** A record came: IDLE_SECONDS count again from now. */
  awake(): void;
}

/** Signals that end this process: each ends a QEMU run first. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Starts QEMU (`binary`, `args`) and ends the run once: on `finish`, IDLE_SECONDS after the last `awake`, after
 * `timeoutMs` (`what` names QEMU in that error), or when QEMU exits or cannot start (the first line of its stderr that
 * is not a warning says why). Ending kills QEMU, runs the `close` that `start` returned and removes `dir`.
 */
export function runQemu(binary: string, args: string[], dir: string, timeoutMs: number, what: string,
  start: (run: QemuRun, qemu: ChildProcessByStdio<null, null, Readable>) => () => void): Promise<QemuStream> {
  const started = Date.now();
  const qemu = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise<QemuStream>((resolve, reject) => {
    let idle: NodeJS.Timeout | undefined;
    let close = () => {};
    // Killed itself (Ctrl-C, VS Code ending the adapter), the process takes QEMU with it, then dies of
    // the same signal: a QEMU left behind would run (and log to disk) on its own until it idles out.
    const onSignal = (signal: NodeJS.Signals) => {
      run.finish(new Error(`stopped by ${signal}`));
      process.kill(process.pid, signal);
    };
    const onExit = () => qemu.kill('SIGKILL');
    for (const sig of STOP_SIGNALS) process.once(sig, onSignal);
    process.once('exit', onExit);
    const run: QemuRun = {
      count: 0, stderr: '', done: false,
      finish(err, idled = false) {
        if (run.done) return;
        run.done = true;
        for (const sig of STOP_SIGNALS) process.removeListener(sig, onSignal);
        process.removeListener('exit', onExit);
        clearTimeout(timer);
        clearTimeout(idle);
        qemu.kill('SIGKILL');
        close();
        rmSync(dir, { recursive: true, force: true });
        if (err) reject(err);
        else resolve({ records: run.count, seconds: (Date.now() - started) / 1000, idle: idled });
      },
      awake() {
        clearTimeout(idle);
        idle = setTimeout(() => run.finish(null, true), IDLE_SECONDS * 1000);
      },
    };
    const timer = setTimeout(() => run.finish(new Error(`${what} did not finish within ${timeoutMs / 1000} s (${run.count} guest records read)`)), timeoutMs);
    qemu.stderr.setEncoding('utf8').on('data', (s: string) => { run.stderr += s; });
    qemu.on('error', (e) => run.finish(e));
    qemu.on('exit', (code, signal) => {
      const why = run.stderr.trim().split('\n').find((l) => l && !/warning:/.test(l));
      run.finish(new Error(`QEMU exited (${signal ?? `status ${code}`}) after ${run.count} guest records${why ? `: ${why}` : ''}`));
    });
    try {
      close = start(run, qemu);
    } catch (e) {
      run.finish(e as Error);
    }
  });
}

/**
 * Runs QEMU on `boot`'s drives and hands each block of guest records to `take` (its `source` numbers
 * count from 0 at the first 0000:7C00, or at the reset vector with `fromReset`) until `take` returns false or no record has come for
 * IDLE_SECONDS; rejects when `timeoutMs` passes or QEMU exits first, naming how far it got.
 */
export function streamQemu(boot: QemuBoot, take: (records: TraceRecord[]) => boolean, timeoutMs: number): Promise<QemuStream> {
  if (boot.accel === 'kvm') return stepQemuKvm(boot, take, timeoutMs);
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-'));
  const fifo = join(dir, 'log');
  const mk = spawnSync('mkfifo', [fifo], { encoding: 'utf8' });
  if (mk.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return Promise.reject(new Error(`mkfifo: ${mk.stderr.trim()}`));
  }
  return runQemu(boot.binary ?? QEMU, qemuArgs(boot, fifo), dir, timeoutMs, 'QEMU', (run) => {
    // Opened read-write, so the open does not wait for QEMU (forever, if QEMU fails first), and read
    // through the event loop as a pipe, so no read is left blocking in Node's thread pool at the end.
    // End of file never comes this way: QEMU's exit is what says it is gone.
    const log = new Socket({ fd: openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
    let pending = '';
    let at7c00 = boot.fromReset === true;
    run.awake();
    log.setEncoding('utf8').on('data', (chunk: string) => {
      if (run.done) return;
      pending += chunk;
      // Parse whole records only: everything before the last `Trace` line is complete.
      const cut = pending.lastIndexOf('\nTrace ');
      if (cut < 0) return;
      const complete = pending.slice(0, cut + 1);
      pending = pending.slice(cut + 1);
      const out: TraceRecord[] = [];
      for (const r of parseQemuLog(complete).records) {
        if (!at7c00 && r.lin !== 0x7c00) continue;
        at7c00 = true;
        r.source = run.count++;
        out.push(r);
      }
      if (out.length === 0) return;
      run.awake();
      if (!take(out)) run.finish(null);
    });
    log.on('error', (e) => run.finish(e));
    return () => log.destroy();
  });
}
