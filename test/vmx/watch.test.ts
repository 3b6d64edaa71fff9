// Following a profile's verdict through an unreal-mode sequence (real mode → PE=1 → 4 GiB DS → PE=0): the watch
// reports the boundary where KVM would start emulating, the emulation log keeps before/after states, and the
// unrestricted profile never stops. Verdict memoisation must not change results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CpuSnapshot, SegmentSnapshot } from '../../emulator/vmx/cpuSnapshot';
import { EmulationLog, VerdictWatch, verdictKey } from '../../emulator/vmx/watch';

const rm = (sel: number, access = 0x93): SegmentSnapshot => ({ selector: sel, base: sel << 4, limit: 0xffff, access });
function real(): CpuSnapshot {
  return {
    segments: { cs: rm(0, 0x9b), ss: rm(0), ds: rm(0), es: rm(0), fs: rm(0), gs: rm(0),
      ldtr: { selector: 0, base: 0, limit: 0xffff, access: 0x82 }, tr: { selector: 0, base: 0, limit: 0xffff, access: 0x8b } },
    cr0: 0x10, cr3: 0, cr4: 0, eflags: 0x2, eip: 0x7c00, esp: 0x7c00,
    gdtr: { base: 0x7e00, limit: 0x17 }, idtr: { base: 0, limit: 0x3ff },
  };
}
/** States before each instruction: cli; mov cr0 (PE=1); mov ds,0x10; mov cr0 (PE=0); mov ds,ax; hlt. */
function unrealSequence(): CpuSnapshot[] {
  const s0 = real();
  const s1 = structuredClone(s0); s1.eip += 1;
  const s2 = structuredClone(s1); s2.eip += 3; s2.cr0 = 0x11;
  const s3 = structuredClone(s2); s3.eip += 3; s3.segments.ds = { selector: 0x10, base: 0, limit: 0xffffffff, access: 0xc093 };
  const s4 = structuredClone(s3); s4.eip += 3; s4.cr0 = 0x10;
  const s5 = structuredClone(s4); s5.eip += 2; s5.segments.ds = { ...s4.segments.ds, selector: 0, base: 0 };
  return [s0, s1, s2, s3, s4, s5];
}

test('kvm-rmode: the verdict becomes emulate right after the mov cr0 that returns to real mode with a 4 GiB DS', () => {
  const w = new VerdictWatch('kvm-rmode');
  const steps = unrealSequence().map((s) => w.step(s));
  assert.deepEqual(steps.map((x) => x.result.verdict), ['enter', 'enter', 'enter', 'enter', 'emulate', 'emulate']);
  assert.deepEqual(steps.map((x) => x.becameEmulate), [false, false, false, false, true, false]);
  // KVM checks the base first: DS still holds selector 0x10 from protected mode.
  assert.match(steps[4].result.reason, /^DS\.base 0x00000000 is not DS\.selector << 4 = 0x00000100 — KVM emulates/);
  // After `mov ds, ax` (selector 0) the base fits, and the kept 4 GiB limit is what KVM cannot run in vm86.
  assert.match(steps[5].result.reason, /^DS\.limit 0xffffffff is not 0x0000ffff — KVM emulates .* until DS is reloaded$/);
});

test('unrestricted never stops on the same sequence; raw fails from the start (real mode)', () => {
  const u = new VerdictWatch('unrestricted');
  assert.ok(unrealSequence().every((s) => u.step(s).result.verdict === 'enter'));
  const r = new VerdictWatch('raw');
  const first = r.step(real());
  assert.equal(first.becameFail, true);
  assert.equal(r.step(real()).becameFail, false, 'a verdict that stays fail is not a new stop');
});

test('the emulation log lists the emulated instructions with their state before and after', () => {
  const log = new EmulationLog(new VerdictWatch('kvm-rmode'));
  const seq = unrealSequence();
  seq.forEach((s, n) => log.before(n, s));
  const end = structuredClone(seq[5]);
  end.eip += 1;
  log.finish(end);
  assert.deepEqual(log.entries.map((e) => e.n), [4, 5]);
  assert.equal(log.entries[0].before.cr0, 0x10);
  assert.equal(log.entries[0].after?.segments.ds.selector, 0, 'after = the state before the next instruction');
  assert.equal(log.entries[1].after?.eip, end.eip);
});

test('the memo key ignores arithmetic flags and EIP but not segment state', () => {
  const a = real();
  const b = structuredClone(a); b.eflags |= 0x8d5; b.eip = 0x1234;
  assert.equal(verdictKey(a), verdictKey(b));
  const c = structuredClone(a); c.segments.ds.limit = 0xfffff;
  assert.notEqual(verdictKey(a), verdictKey(c));
  const d = structuredClone(a); d.eflags |= 0x20000;
  assert.notEqual(verdictKey(a), verdictKey(d));
});
