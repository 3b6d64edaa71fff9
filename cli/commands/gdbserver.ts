// `bootscope gdbserver IMAGE [--port N] [options]`: a GDB remote-protocol server on 127.0.0.1 for one
// machine, stopped at 0000:7C00 and recording (reverse-stepi/reverse-continue work from the first step).
// It runs until gdb kills the target or the process is stopped; guest text (port E9h, COM1) is printed.
// Node side: the server lives in debug-adapter/gdb/; this parses the options into a launch configuration.
import { Command } from 'commander';
import { startGdbServer } from '../../debug-adapter/gdb/server';
import { launch, LaunchError } from '../../debug-adapter/launch';
import { CPU_MODEL_NAMES, FPU_NAMES, PROFILE_NAMES, LaunchErrorId } from '../../protocol/launchConfig';
import { errnoText } from '../../host/files';
import type { Machine } from '../../emulator/machine';
import { CS } from '../../emulator/cpu/regs';
import { collect, CPU_OPTION_HELP, exitWith, FPU_OPTION_HELP, InputError, parseChoice, parseWhole, UsageError } from '../args';

export interface GdbServerOptions {
  port?: string;
  floppy?: boolean;
  cdrom?: boolean | string;
  hd?: string[];
  fd?: string[];
  boot?: string;
  cpu?: string;
  memoryMb?: string;
  fpu?: string;
  listing?: string[];
  symbols?: string[];
  profile?: string;
  breakOnVmentryFailure?: boolean;
  breakOnEmulation?: boolean;
  magicBreak?: boolean;
  record?: boolean;
}

export function command(): Command {
  return new Command('gdbserver')
    .summary('serve a machine to gdb (GDB remote protocol, reverse execution)')
    .description('Boot IMAGE, stop at 0000:7C00 with recording on, and serve it to gdb on 127.0.0.1 (target remote 127.0.0.1:N).')
    .argument('<image>', 'disk image or boot sector')
    .allowExcessArguments(false)
    .option('--port <N>', 'listen on 127.0.0.1:N (default 1234; 0 picks a free port)')
    .option('--floppy', 'boot IMAGE as the floppy, drive 00h')
    .option('--cdrom [ISO]', 'without ISO: IMAGE is a CD (El Torito; a plain ISO is one without it); with ISO: the CD drive holds ISO, as run --cdrom ISO')
    .option('--hd <FILE>', 'a hard disk after IMAGE, as run --hd; repeatable', collect)
    .option('--fd <FILE>', 'a floppy after IMAGE, as run --fd; repeatable', collect)
    .option('--boot <ORDER>', 'boot order, as run --boot')
    .option('--cpu <MODEL>', CPU_OPTION_HELP)
    .option('--memory-mb <N>', 'guest RAM in MiB, 1 to 3072 (default 64)')
    .option('--fpu <FPU>', FPU_OPTION_HELP)
    .option('--listing <FILE>', 'NASM listing whose labels monitor expressions may use; repeatable', collect)
    .option('--symbols <FILE>', 'symbol file (ELF, ld -Map, nm output, Bochs ldsym; linear addresses) whose names monitor expressions may use; repeatable', collect)
    .option('--profile <NAME>', `hypervisor profile for VM-entry checks: ${PROFILE_NAMES.join(', ')}`)
    .option('--break-on-vmentry-failure', "stop where the profile's verdict becomes 'fail' (needs --profile)")
    .option('--break-on-emulation', "stop where the profile's verdict becomes 'emulate' (needs --profile)")
    .option('--magic-break', "stop right after `xchg bx, bx`, as Bochs's magic breakpoint")
    .option('--no-record', 'do not record (no reverse execution, less memory)')
    .action((image: string, opts: GdbServerOptions) => exitWith(main(image, opts)));
}

export async function main(image: string, opts: GdbServerOptions): Promise<number> {
  const port = opts.port === undefined ? 1234 : parseWhole(opts.port, '--port', 0, 65535);
  const breakOnVmEntryFailure = opts.breakOnVmentryFailure === true;
  const breakOnEmulation = opts.breakOnEmulation === true;
  if ((breakOnVmEntryFailure || breakOnEmulation) && opts.profile === undefined) {
    throw new UsageError('--break-on-vmentry-failure and --break-on-emulation need --profile NAME');
  }
  let launched;
  try {
    launched = launch({
      image,
      floppy: opts.floppy === true,
      cdrom: opts.cdrom ?? false,
      hd: opts.hd,
      fd: opts.fd,
      boot: opts.boot,
      cpu: opts.cpu === undefined ? undefined : parseChoice(opts.cpu, '--cpu', CPU_MODEL_NAMES),
      memoryMB: opts.memoryMb === undefined ? undefined : parseWhole(opts.memoryMb, '--memory-mb', 1, 3072),
      fpu: opts.fpu === undefined ? undefined : parseChoice(opts.fpu, '--fpu', FPU_NAMES),
      listing: opts.listing,
      symbols: opts.symbols,
      profile: opts.profile === undefined ? undefined : parseChoice(opts.profile, '--profile', PROFILE_NAMES),
      breakOnVmEntryFailure,
      breakOnEmulation,
      magicBreakpoint: opts.magicBreak === true,
      record: opts.record !== false,
    });
  } catch (e) {
    if (!(e instanceof LaunchError)) throw e;
    // The options are checked above: what is left is an image, a listing or a symbol file that cannot be used.
    const msg = e.message.replace(/^launch configuration: /, '');
    throw e.id === LaunchErrorId.BadField ? new UsageError(msg) : new InputError(msg);
  }
  let server;
  try {
    server = await startGdbServer(launched, {
      port,
      log: (t) => process.stderr.write(t),
      guestOutput: (t) => process.stdout.write(t),
    });
  } catch (e) {
    throw new InputError(`cannot listen on 127.0.0.1:${port}: ${errnoText(e)}`);
  }
  process.stderr.write(`bootscope gdbserver: ${booted(launched.machine)}; listening on 127.0.0.1:${server.port} ` +
    `(gdb: target remote 127.0.0.1:${server.port})\n`);
  process.on('SIGTERM', () => server.close());
  process.on('SIGINT', () => server.close());
  await server.closed;
  return 0;
}

/** What the BIOS booted and where the machine stands: with --boot the device need not be IMAGE. */
function booted(m: Machine): string {
  const cpu = m.cpu;
  const at = `${cpu.sel[CS].toString(16).padStart(4, '0').toUpperCase()}:${(cpu.eip >>> 0).toString(16).padStart(4, '0').toUpperCase()}`;
  const drive = m.bootDrive;
  const what = m.bootChoice?.device === 'cdrom' && m.cdrom ? `${m.cdrom.name} (CD)`
    : drive ? `${drive.disk.name} (drive ${drive.number.toString(16).padStart(2, '0').toUpperCase()}h)` : 'nothing bootable';
  return `booted ${what}, stopped at ${at}`;
}
