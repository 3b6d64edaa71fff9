// @tier full
// Launch `compareWith` over DAP (debug-adapter/handlers/compare.ts) against qemu-system-i386 (TCG):
// a boot sector that reads the INT 1Eh vector, which SeaBIOS and Bootscope's BIOS place differently,
// must stop with reason "diverged from QEMU" right after that load, with the Compare panel's answer
// (bootscope/readCompare) marking EAX alone; an edit that gives EAX QEMU's value and `compare again`
// then agree to the budget; a breakpoint stops a lock-step run; going back in time and editing EBX
// forces a divergence exactly there; with launch bios both machines run SeaBIOS and that boot sector
// agrees; two hard disks with the second booted, and a CD beside a hard disk, agree (QEMU given the
// same drives and order); the same divergence with QEMU under KVM where /dev/kvm can be
// used; the syslinux image of test/boot runs to the first divergence `bootscope compare` finds (its
// E820 map differs from SeaBIOS's); and a bad compareWith or a missing QEMU fails the launch.
// A missing QEMU fails the test (it is the reference; .ci/run installs it).
import { test } from 'node:test';
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { accelProblem, qemuMissing } from '../../host/qemu';
import type { ReadCompareResponse } from '../../protocol/customRequests';
import { missingTools, syslinuxImage } from '../boot/images';
import { tagDrives } from '../boot/tagDrives';
import { assemble, DapClient, pc, repl } from './dapClient';

const MAX = 500;
const SEABIOS = '/usr/share/seabios/bios.bin', SEAVGABIOS = '/usr/share/seabios/vgabios-stdvga.bin';

async function setRegister(c: DapClient, name: string, value: string): Promise<void> {
  const { scopes } = await c.request<DebugProtocol.ScopesResponse['body']>('scopes', { frameId: 0 });
  const ref = scopes.find((s) => s.name === 'General Registers')!.variablesReference;
  await c.request('setVariable', { variablesReference: ref, name, value });
}

/** The stop a console command that starts a task ends with. */
async function replStop(c: DapClient, command: string): Promise<{ answer: string; stop: DebugProtocol.StoppedEvent }> {
  const stop = c.nextStop(60_000);
  const answer = await repl(c, command);
  return { answer, stop: await stop };
}

test('compareWith qemu: the first divergence, the Compare panel\'s answer, compare again after an edit and after time travel',
  { timeout: 180_000 }, async () => {
    assert.equal(qemuMissing(), null);
    const fx = assemble('qemudiff');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image, compareWith: { qemu: { accel: 'tcg', max: MAX } } });
      const idle = await c.request<ReadCompareResponse>('bootscope/readCompare');
      assert.equal(idle.state, 'idle');

      const stop = c.nextStop(60_000);
      await c.request('continue', { threadId: 1 });
      const s = await stop;
      assert.equal(s.body.reason, 'diverged from QEMU');
      assert.equal(s.body.description, `diverged from QEMU at instruction 6 from 0000:7C00, 0000:00007c0d lin=00007c0d: eax differs`);
      // Bootscope stands before the diverging instruction, the one after the load.
      assert.equal(await pc(c), fx.marker('DIVERGED'));
      assert.equal(await repl(c, 'ax'), '0xefc7');
      const r = await c.request<ReadCompareResponse>('bootscope/readCompare');
      assert.equal(r.state, 'diverged');
      assert.deepEqual(r.rows!.filter((x) => x.mark !== 'same').map((x) => [x.name, x.ours]), [['eax', '0000efc7']]);
      const qemuAx = r.rows!.find((x) => x.name === 'eax')!.qemu;
      assert.notEqual(qemuAx, '0000efc7');
      assert.deepEqual([r.instruction?.index, r.instruction?.text, r.instruction?.controlFlow], [6, 'inc bx', false]);
      assert.deepEqual(r.history!.map((h) => h.text), ['cli', 'xor ax,ax', 'mov ds,ax', 'mov bx,0x3', 'add bx,bx', 'mov ax,[0x78]']);
      assert.match(c.output(), /^> +6 {2}0000:00007c0d lin=00007c0d {2}inc bx$/m);

      // The edit gives EAX QEMU's value at the divergence: compared again from 0000:7C00 (the edit replayed), all agree.
      await setRegister(c, 'eax', `0x${qemuAx}`);
      const again = await replStop(c, 'compare again');
      assert.match(again.answer, /^comparing with qemu-system-i386 \(tcg, -icount shift=8\) from 0000:7C00/);
      assert.equal(again.stop.body.reason, 'pause');
      assert.equal(again.stop.body.description, `no divergence: ${MAX} instructions from 0000:7C00 agree with QEMU (the budget (${MAX}))`);
      assert.equal((await c.request<ReadCompareResponse>('bootscope/readCompare')).state, 'agreed');

      // A breakpoint ahead stops a lock-step run there, the run compared up to it.
      await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${fx.marker('SPIN').toString(16)}` }] });
      const bp = await replStop(c, 'compare again');
      assert.equal(bp.stop.body.reason, 'instruction breakpoint');
      assert.match(bp.stop.body.description ?? '', /^breakpoint at 0000:7C0E; \d+ instructions from 0000:7C00 agree with QEMU$/);
      assert.equal(await pc(c), fx.marker('SPIN'));
      await c.request('setInstructionBreakpoints', { breakpoints: [] });

      // Back in time to before `add bx, bx`, an edit of EBX there: the next comparison diverges at exactly that instruction.
      assert.match(await repl(c, 'goto 4'), /at instruction 4/);
      await setRegister(c, 'ebx', '7');
      const forced = await replStop(c, 'compare again');
      assert.equal(forced.stop.body.reason, 'diverged from QEMU');
      assert.equal(forced.stop.body.description, 'diverged from QEMU at instruction 4 from 0000:7C00, 0000:00007c08 lin=00007c08: ebx differs');
      const f = await c.request<ReadCompareResponse>('bootscope/readCompare');
      assert.deepEqual(f.rows!.filter((x) => x.mark !== 'same').map((x) => [x.name, x.ours, x.qemu]), [['ebx', '00000007', '00000003']]);

      // After a divergence, continue runs Bootscope alone (the two no longer agree): pause stops it as usual.
      const run = c.nextStop(60_000);
      await c.request('continue', { threadId: 1 });
      await c.request('pause', { threadId: 1 });
      assert.equal((await run).body.reason, 'pause');
      assert.equal((await c.request<ReadCompareResponse>('bootscope/readCompare')).state, 'diverged');
    } finally {
      await c.close();
    }
  });

test('compareWith: a bad attribute, a missing QEMU and record: false fail the launch with one line naming it; a QEMU that fails ends the run saying so', async () => {
  const fx = assemble('qemudiff');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ compareWith: { qemu: { accel: 'hvf' } } }, /^launch configuration: 'compareWith\.qemu\.accel' must be one of tcg, kvm, not "hvf"$/],
    [{ compareWith: { bochs: {} } }, /^launch configuration: 'compareWith\.bochs' is not a reference machine: only "qemu" is$/],
    [{ compareWith: { qemu: { max: 0 } } }, /^launch configuration: 'compareWith\.qemu\.max' must be a positive integer/],
    [{ compareWith: { qemu: {} }, record: false }, /^launch configuration: 'compareWith' needs 'record': true/],
    [{ compareWith: { qemu: { binary: '/nonexistent/qemu' } } }, /^launch configuration 'compareWith': \/nonexistent\/qemu is not installed or does not run/],
  ];
  for (const [extra, message] of cases) {
    const c = DapClient.spawn();
    try {
      await c.request('initialize', { adapterID: 'bootscope', pathFormat: 'path' });
      const r = await c.raw('launch', { type: 'bootscope', request: 'launch', image: fx.image, ...extra });
      assert.equal(r.success, false, JSON.stringify(extra));
      assert.match(r.message ?? '', message);
    } finally {
      await c.close();
    }
  }
  // QEMU that fails to start (compareWith.qemu.args it refuses): the run ends with an exception stop saying so.
  const failing = DapClient.spawn();
  try {
    await failing.launch({ image: fx.image, compareWith: { qemu: { args: ['-cpu', 'no-such-cpu'] } } });
    const stop = failing.nextStop(60_000);
    await failing.request('continue', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'exception');
    assert.match(s.body.description ?? '', /^QEMU failed after 0 instructions from 0000:7C00 agree with QEMU: QEMU exited \(status 1\) after 0 guest records: .*no-such-cpu/);
    assert.equal((await failing.request<ReadCompareResponse>('bootscope/readCompare')).state, 'failed');
  } finally {
    await failing.close();
  }
  // Without compareWith the request answers that there is nothing to compare.
  const plain = DapClient.spawn();
  try {
    await plain.launch({ image: fx.image });
    assert.equal((await plain.request<ReadCompareResponse>('bootscope/readCompare')).state, 'unavailable');
    const again = await plain.raw('bootscope/compareAgain', {});
    assert.equal(again.success, false);
    assert.match(again.message ?? '', /does not compare with QEMU: add "compareWith"/);
  } finally {
    await plain.close();
  }
});

test('compareWith with launch bios: SeaBIOS on both machines, the INT 1Eh vector the same, so the boot sector agrees to the budget',
  { skip: existsSync(SEABIOS) ? false : `${SEABIOS} is missing (Debian package seabios)`, timeout: 180_000 }, async () => {
    const fx = assemble('qemudiff');
    const c = DapClient.spawn();
    try {
      await c.launch({ image: fx.image, bios: SEABIOS, vgaRom: SEAVGABIOS, compareWith: { qemu: { accel: 'tcg', max: MAX } } });
      // The session starts at the reset vector; the lock-step run finds the firmware's first 0000:7C00.
      assert.equal(await pc(c), 0xfffffff0);
      const stop = c.nextStop(150_000);
      await c.request('continue', { threadId: 1 });
      const s = await stop;
      assert.equal(s.body.reason, 'pause');
      assert.equal(s.body.description, `no divergence: ${MAX} instructions from 0000:7C00 agree with QEMU (the budget (${MAX}))`);
      assert.equal((await c.request<ReadCompareResponse>('bootscope/readCompare')).state, 'agreed');
      // Compared again from the same 0000:7C00, found once.
      const again = await replStop(c, 'compare again');
      assert.equal(again.stop.body.description, s.body.description);
    } finally {
      await c.close();
    }
  });

test('compareWith with two hard disks and the second booted, and with a CD beside a hard disk: QEMU gets the same drives and order, all agree',
  { timeout: 180_000 }, async () => {
    const d = tagDrives();
    for (const config of [{ hd: [d.a, d.b], boot: 'hd2' }, { cdrom: d.cd, hd: d.a }]) {
      const c = DapClient.spawn();
      try {
        await c.launch({ ...config, compareWith: { qemu: { accel: 'tcg', max: MAX } } });
        const stop = c.nextStop(60_000);
        await c.request('continue', { threadId: 1 });
        const s = await stop;
        assert.equal(s.body.description, `no divergence: ${MAX} instructions from 0000:7C00 agree with QEMU (the budget (${MAX}))`, JSON.stringify(config));
        assert.equal(c.output().match(/[A-Z][\x80\xe0][A-Z][A-Z-]/)?.[0], 'hd' in config && config.boot ? 'B\x80BA' : 'C\xe0A-');
      } finally {
        await c.close();
      }
    }
  });

test('compareWith qemu accel kvm: the host CPU, single-stepped, diverges at the same instruction', { skip: accelProblem('kvm') ?? false, timeout: 180_000 }, async () => {
  const fx = assemble('qemudiff');
  const c = DapClient.spawn();
  try {
    await c.launch({ image: fx.image, compareWith: { qemu: { accel: 'kvm', max: MAX } } });
    const stop = c.nextStop(150_000);
    await c.request('continue', { threadId: 1 });
    const s = await stop;
    assert.equal(s.body.reason, 'diverged from QEMU');
    assert.equal(s.body.description, 'diverged from QEMU at instruction 6 from 0000:7C00, 0000:00007c0d lin=00007c0d: eax differs');
    assert.equal(await pc(c), fx.marker('DIVERGED'));
    const r = await c.request<ReadCompareResponse>('bootscope/readCompare');
    assert.equal(r.reference, 'qemu-system-i386 (kvm, gdbstub single steps)');
  } finally {
    await c.close();
  }
});

test('compareWith on the syslinux image: continue runs through the PM entry and timer interrupts to the first divergence, the E820 walk',
  { skip: missingTools('syslinux') ?? false, timeout: 900_000 }, async (t) => {
    const c = DapClient.spawn();
    try {
      await c.launch({ image: syslinuxImage(), compareWith: { qemu: { accel: 'tcg' } } });
      const t0 = Date.now();
      const stop = c.nextStop(850_000);
      await c.request('continue', { threadId: 1 });
      const s = await stop;
      t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s to the divergence`);
      assert.equal(s.body.reason, 'diverged from QEMU');
      assert.equal(s.body.description, 'diverged from QEMU at instruction 1188524 from 0000:7C00, 0000:00008c2f lin=00008c2f: ebx differs');
      assert.equal(await pc(c), 0x8c2f);
      const r = await c.request<ReadCompareResponse>('bootscope/readCompare');
      assert.equal(r.instruction?.text, 'mov sp,[cs:0x39a4]');
      assert.equal(r.history?.at(-1)?.text, 'retf');
      assert.deepEqual(r.rows!.filter((x) => x.mark === 'differs').map((x) => x.name), ['ebx']);
      assert.match(r.rules!.join('\n'), /^resyncs: [1-9]\d* interrupt handler runs on one side only skipped/m);
    } finally {
      await c.close();
    }
  });
