// QEMU under KVM as the reference machine (`bootscope compare --accel kvm`, launch compareWith accel
// "kvm"): the guest runs on the host CPU, so there is no per-instruction log; instead QEMU's gdbstub
// single-steps it and reads the registers after every step — "compare with a real machine". QEMU
// starts stopped (-S) with its gdbstub on a Unix socket; a hardware breakpoint at linear 0x7C00
// takes it to the boot sector, then each step is `s` and `g` (EAX…GS, FS/GS bases, CR0). CS's
// base, which `g` leaves out, comes from the monitor's `info
// registers` whenever CS or CR0.PE changes. -icount (a clock following the instruction count) is
// TCG's: under KVM timer interrupts follow the host clock, and gdbstub steps run with interrupts held
// off, so the lock-step's interrupt rule skips the handlers Bootscope takes alone.
//
// KVM may be unable to run the guest's mode natively (a nested KVM without unrestricted guest, a
// paravirtual KVM that emulates non-64-bit modes): its instruction emulator then runs the guest, and
// where that fails QEMU reports "KVM internal error … emulation failure" with the guest state; the
// stream ends with that report. Node only.
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { GdbClient } from './gdbClient';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUEST_HIGH, GUEST_LOW, TRACE_REGS, type TraceReg, type TraceRecord } from '../emulator/record/lockstep';
import { machineArgs, QEMU, type QemuBoot, type QemuStream, runQemu } from './qemu';

/** Records handed over at a time, and the longest a record waits. */
const BLOCK = 256;
const FLUSH_MS = 100;
/** `g` register order of QEMU 7.2's i386 gdbstub, 4 bytes each, as far as CR0 (no segment bases but FS's and GS's). */
const G_ORDER = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs',
  'fs_base', 'gs_base', 'k_gs_base', 'cr0'] as const;

/** The registers of a `g` reply. */
function parseG(g: string): Record<(typeof G_ORDER)[number], number> {
  const out = {} as Record<(typeof G_ORDER)[number], number>;
  G_ORDER.forEach((name, i) => {
    const h = g.slice(i * 8, i * 8 + 8);
    out[name] = h.length === 8 ? Buffer.from(h, 'hex').readUInt32LE(0) : 0;
  });
  return out;
}

/** CS's base and D bit from `info registers` (`CS =0008 00000000 ffffffff 00cf9b00`). */
function csCache(info: string): { base: number; code32: boolean } | null {
  const m = /^CS =[0-9a-f]{4} ([0-9a-f]{8}) [0-9a-f]{8} ([0-9a-f]{8})/m.exec(info);
  return m ? { base: parseInt(m[1], 16) >>> 0, code32: (parseInt(m[2], 16) & 0x400000) !== 0 } : null;
}

/**
 * Runs QEMU with KVM on `boot`'s drives and hands each block of guest records, one per single step from the
 * first 0000:7C00, to `take` until it returns false or no guest record has come for IDLE_SECONDS;
 * rejects when `timeoutMs` passes, QEMU exits, or KVM reports an internal error (its report quoted).
 */
export function stepQemuKvm(boot: QemuBoot, take: (records: TraceRecord[]) => boolean, timeoutMs: number): Promise<QemuStream> {
  const dir = mkdtempSync(join(tmpdir(), 'bootscope-qemu-'));
  const path = join(dir, 'gdb');
  const args = [
    ...machineArgs(boot), '-accel', 'kvm', '-chardev', `socket,path=${path},server=on,wait=on,id=gdb`, '-gdb', 'chardev:gdb', '-S', ...(boot.args ?? []),
  ];
  return runQemu(boot.binary ?? QEMU, args, dir, timeoutMs, 'QEMU (KVM)', (run, qemu) => {
    let sock: Socket | null = null;
    qemu.stderr.on('data', () => {
      // KVM could not run (or emulate) the guest: QEMU stops it and prints why with the guest state.
      if (/KVM internal error|emulation failure/i.test(run.stderr)) {
        setTimeout(() => run.finish(new Error(`KVM could not run the guest (after ${run.count} guest records): ${run.stderr.trim().split('\n').filter((l) => !/warning:/.test(l)).slice(0, 12).join(' | ')}`)), 200);
      }
    });
    const session = async () => {
      // QEMU creates the socket and waits on it (wait=on) before it starts the machine.
      for (let tries = 0; !sock && !run.done; tries++) {
        sock = await new Promise<Socket | null>((res) => {
          const s = connect(path, () => res(s));
          s.on('error', () => res(null));
        });
        if (!sock) await new Promise((r) => setTimeout(r, tries < 50 ? 20 : 200));
      }
      if (run.done || !sock) return;
      sock.on('error', (e) => run.finish(e));
      const gdb = new GdbClient(sock);
      const hw = await gdb.request('Z1,7c00,1');
      if (hw !== 'OK') throw new Error(`QEMU's gdbstub refused a hardware breakpoint at 0x7c00 (${hw || 'not supported'})`);
      run.awake();
      await gdb.request('c');
      await gdb.request('z1,7c00,1');
      let block: TraceRecord[] = [];
      let flushed = Date.now();
      let cs = -1, pe = -1;
      let cache = { base: 0, code32: false };
      while (!run.done) {
        const g = parseG(await gdb.request('g'));
        if (g.cs !== cs || (g.cr0 & 1) !== pe) {
          cs = g.cs;
          pe = g.cr0 & 1;
          cache = pe ? csCache(await gdb.monitor('info registers')) ?? cache : { base: (cs << 4) >>> 0, code32: false };
        }
        const lin = (cache.base + g.eip) >>> 0;
        if (lin >= GUEST_LOW && lin <= GUEST_HIGH) {
          const regs = {} as Record<TraceReg, number>;
          for (const k of TRACE_REGS) regs[k] = g[k] >>> 0;
          block.push({ source: run.count++, cs: g.cs, eip: g.eip >>> 0, lin, code32: cache.code32, regs });
          // Handed over in blocks, and at least every FLUSH_MS (a guest about to halt has its last records compared).
          if (block.length >= BLOCK || Date.now() - flushed >= FLUSH_MS) {
            run.awake();
            flushed = Date.now();
            const go = take(block);
            block = [];
            if (!go) {
              run.finish(null);
              return;
            }
          }
        }
        const stop = await gdb.request('s');
        if (!/^[ST]05/.test(stop)) throw new Error(`QEMU's gdbstub answered a step with '${stop.slice(0, 40)}'`);
      }
    };
    session().catch((e: Error) => run.finish(e));
    return () => sock?.destroy();
  });
}
