// examples/dumps: `bootscope vmcheck` on each constructed dump gives the verdict its comment file (NAME.md) states,
// and every dump in the folder has a comment file and a test here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cli, dumpPath } from './helpers';

interface Expect { source: 'xen' | 'kvm'; format: RegExp; verdict: 'pass' | 'fail'; failing: string[]; rootCause?: RegExp; warning?: RegExp }

const EXPECT: Record<string, Expect> = {
  'xen34-ss-rpl3-after-pe.vmcs': {
    source: 'xen', format: /^Xen 3\.4/, verdict: 'fail', failing: ['DPL.SS', 'SEL.SS_RPL'],
    rootCause: /real-mode SS \(selector 0x9ffb, base = selector << 4\) still loaded after CR0\.PE was set/,
  },
  'xen46-vm86-task-switch-pm-caches.vmcs': {
    source: 'xen', format: /^Xen 4\.6/, verdict: 'fail',
    failing: ['BASE', 'LIMIT', 'AR'].flatMap((k) => ['CS', 'SS', 'DS', 'ES', 'FS', 'GS'].map((s) => `V86.${k}.${s}`)).sort(),
    rootCause: /^protected-mode segment state with EFLAGS\.VM set \(RFLAGS 0x00020002\): CS, SS, DS, ES, FS, GS hold protected-mode descriptors/,
  },
  'kvm-userspace-realmode-dpl3.vmcs': {
    source: 'kvm', format: /^KVM dump_vmcs \(Linux 5\.13\+\)/, verdict: 'fail', failing: ['DPL.CS_DATA', 'DPL.SS'],
    rootCause: /SS\.DPL is 3 but must be 0 because CR0\.PE=0/,
  },
  'kvm-quoted-passes-link-pointer.vmcs': {
    source: 'kvm', format: /^KVM dump_vmcs/, verdict: 'pass', failing: [],
    warning: /log reports VM-entry failure 0x80000021 \(invalid guest state\) but no modelled check fails/,
  },
};

test('every dump has a comment file and an expectation here', () => {
  const dumps = readdirSync(dumpPath('.')).filter((f) => f.endsWith('.vmcs')).sort();
  assert.deepEqual(dumps, Object.keys(EXPECT).sort());
  for (const d of dumps) assert.ok(existsSync(dumpPath(d.replace(/\.vmcs$/, '.md'))), `${d}: comment file`);
});

for (const [name, e] of Object.entries(EXPECT)) {
  test(`vmcheck ${name}: ${e.verdict}${e.failing.length ? ` (${e.failing.length} failing)` : ''}`, () => {
    const r = cli(['vmcheck', dumpPath(name), '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.source, e.source);
    assert.match(j.format, e.format);
    assert.equal(j.verdict, e.verdict);
    const failing = j.checks.filter((c: { status: string }) => c.status === 'fail');
    assert.deepEqual(failing.map((c: { id: string }) => c.id).sort(), e.failing);
    for (const f of failing) assert.equal(f.section, '26.3.1.2', f.id);
    if (e.rootCause) assert.ok(j.rootCauses.some((c: { summary: string }) => e.rootCause!.test(c.summary)), JSON.stringify(j.rootCauses));
    if (e.warning) assert.ok(j.warnings.some((w: string) => e.warning!.test(w)), JSON.stringify(j.warnings));
    else assert.deepEqual(j.warnings, []);
  });
}

test('the human report names each failure with its section (xen34 dump)', () => {
  const r = cli(['vmcheck', dumpPath('xen34-ss-rpl3-after-pe.vmcs')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /SEL\.SS_RPL {2}§26\.3\.1\.2 \(§22\.3\.1\.2 in 2008-2010 editions\) {2}GUEST_SS_SELECTOR/);
  assert.match(r.out, /log: Failed vm entry \(exit reason 0x80000021\)/);
});
