// examples/vm86-compare: the vm86 task switch of examples/vm86-monitor as the VMCS view shows it (under xen-vm86 and
// kvm-rmode it enters, with base = selector << 4, limit 0xFFFF, AR 0xF3), against dumps/xen46-vm86-task-switch-pm-
// caches.vmcs, the same task switch mis-emulated (EFLAGS.VM over protected-mode caches): vmcheck fails the v86
// checks with one root cause, and the field-by-field comparison differs exactly in the six segments' caches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cli, dumpPath, image, marker, NO_NASM, runJson } from './helpers';
import { bootWithProfile } from './profileBoot';
import { parseVmcsDump } from '../../emulator/vmx/parsers/parseDump';
import { snapshotFromCpu } from '../../emulator/vmx/fromCpu';
import { vmcsDiff } from '../../emulator/vmx/vmcsView';

const DUMP = 'xen46-vm86-task-switch-pm-caches.vmcs';
const SEGS = ['CS', 'SS', 'DS', 'ES', 'FS', 'GS'];

test('vmcheck on the mis-emulated task switch: the v86 segment checks fail, root cause names the state', () => {
  const r = cli(['vmcheck', dumpPath(DUMP), '--profile', 'xen-vm86']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /verdict: fail — VM entry would end in VM exit 0x80000021/);
  assert.match(r.out, /18 failing/);
  assert.match(r.out, /protected-mode segment state with EFLAGS\.VM set \(RFLAGS 0x00020002\)/);
  assert.match(r.out, /V86\.BASE\.CS {2}§26\.3\.1\.2.*\n\s+CS\.base is 0x00000000 but in virtual-8086 mode it must equal CS\.selector << 4 = 0x00009000/);
});

for (const profile of ['xen-vm86', 'kvm-rmode'] as const) {
  test(`live vm86 entry under ${profile}: enters; against the dump only the segment caches differ`, { skip: NO_NASM }, async () => {
    const at = marker('vm86task', 'VM86_TS', 0x9000);
    const { m, mon, run } = bootWithProfile('vm86-monitor', { profile });
    assert.equal(run([at.address]).reason, 'until');
    const r = mon.watch.step(snapshotFromCpu(m.cpu)).result;
    assert.equal(r.verdict, 'enter', r.reason);
    const live = r.entered!;
    assert.equal(live.guest.rflags! & (1n << 17n), 1n << 17n);
    for (const s of ['cs', 'ds', 'es', 'fs', 'gs'] as const) {
      assert.deepEqual([live.guest[s]!.selector, live.guest[s]!.base, live.guest[s]!.limit, live.guest[s]!.access], [0x900, 0x9000n, 0xffff, 0xf3], s);
    }
    const dump = parseVmcsDump(readFileSync(dumpPath(DUMP), 'utf8'));
    const guestDiff = vmcsDiff(live, dump).filter((d) => d.group === 'guest').map((d) => d.name).sort();
    const expected = SEGS.flatMap((s) => [`GUEST_${s}_BASE`, `GUEST_${s}_LIMIT`, `GUEST_${s}_AR_BYTES`]);
    assert.deepEqual(guestDiff.filter((n) => !expected.includes(n)), [], 'nothing but the segment caches differs');
    assert.deepEqual(guestDiff.filter((n) => expected.includes(n)).sort(), expected.sort());
  });
}

test('bootscope run --profile xen-vm86 at the first task instruction: the vmentry verdict is enter', { skip: NO_NASM }, () => {
  const at = marker('vm86task', 'VM86_TS', 0x9000);
  const j = runJson([image('vm86-monitor'), '--profile', 'xen-vm86', '--until', `0x${at.address.toString(16)}`]);
  assert.equal(j.stopReason, 'until');
  assert.equal(j.mode, 'vm86');
  assert.equal(j.vmentry.profile, 'xen-vm86');
  assert.equal(j.vmentry.verdict, 'enter');
  assert.deepEqual(j.vmentry.failures, []);
});
