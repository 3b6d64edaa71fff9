// @tier full
// `bootscope vmcheck` as outside tools call it (docs/CLI.md): exit codes 0/1/2, the --json shape, human
// output with sections and root causes, stdin via '-'. Runs the built CLI (dist/cli.js) in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const fx = (name: string) => join('test', 'vmx', 'fixtures', name);
function vmcheck(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['dist/cli.js', 'vmcheck', ...args], { encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--json on a Xen 3.4 dump: contract fields, 18 failing checks, numbers not hex strings', () => {
  const r = vmcheck([fx('xen34-v86-pm.txt'), '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.source, 'xen');
  assert.equal(j.profile, 'raw');
  assert.equal(j.verdict, 'fail');
  for (const c of j.checks) {
    for (const k of ['id', 'section', 'field', 'status', 'message']) assert.equal(typeof c[k], 'string', `${c.id}.${k}`);
    assert.ok(['pass', 'fail', 'skip'].includes(c.status));
  }
  assert.equal(j.checks.filter((c: { status: string }) => c.status === 'fail').length, 18);
  assert.deepEqual(j.guest.cs, { selector: 8, base: 0, limit: 0xffffffff, access: 0xc09b });
  assert.equal(j.guest.rflags, 0x33002);
  assert.equal(j.guest.rip, 0x100028);
  assert.equal(j.guest.cr0, 0x80000031);
  assert.equal(j.guest.cr4, 0x2001);
  assert.equal(j.rootCauses.length, 1);
  assert.deepEqual(j.outcome, { result: 'vm-exit', exitReason: 0x80000021, exitQualification: 0, firstFailure: 'V86.BASE.CS' });
});

test('human output lists each failure with its SDM section and explanation, and the root cause', () => {
  const r = vmcheck([fx('xen46-quoted-wrapped.txt')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Xen 4\.6\+ \(column table\) VMCS dump; profile raw/);
  assert.match(r.out, /verdict: fail — VM entry would end in VM exit 0x80000021/);
  assert.match(r.out, /TYPE\.DATA\.ACC\.DS {2}§26\.3\.1\.2 \(§22\.3\.1\.2 in 2008-2010 editions\) {2}GUEST_DS_AR_BYTES\n {6}DS access rights are 0x00092/);
  assert.match(r.out, /Root cause:\n {2}- DS access rights are 0x00092/);
});

test('a passing dump: verdict pass, exit 0', () => {
  const r = vmcheck([fx('xen46-column-pass.txt'), '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.verdict, 'pass');
  assert.equal(j.checks.filter((c: { status: string }) => c.status === 'fail').length, 0);
});

test('reads standard input with -', () => {
  const r = vmcheck(['-', '--json'], readFileSync(fx('kvm-prefixed-64bit.txt'), 'utf8'));
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.source, 'kvm');
  assert.deepEqual(j.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id), ['TR.TYPE']);
});

test('--profile fills controls a dump lacks and is reported', () => {
  const r = vmcheck([fx('xen46-truncated.txt'), '--profile', 'unrestricted', '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.profile, 'unrestricted');
  assert.ok(j.warnings.some((w: string) => /unrestricted guest not in the dump: assumed 1 \(profile unrestricted\)/.test(w)));
});

test('no dump → exit 1 with what was expected; unreadable file → exit 1', () => {
  const r = vmcheck([fx('no-dump.txt')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /no-dump\.txt: no VMCS dump found: expected a VMCS dump: Xen's '\*\*\* Guest State \*\*\*' section/);
  assert.equal(r.out, '');
  const m = vmcheck(['test/vmx/fixtures/does-not-exist.txt']);
  assert.equal(m.code, 1);
  assert.match(m.err, /cannot read dump '.*does-not-exist\.txt': no such file/);
});

test('usage errors → exit 2', () => {
  assert.equal(vmcheck([]).code, 2);
  assert.equal(vmcheck([fx('xen34-v86-pm.txt'), '--profile', 'bochs']).code, 2);
  assert.equal(vmcheck([fx('xen34-v86-pm.txt'), '--verbose']).code, 2);
  assert.equal(vmcheck([fx('xen34-v86-pm.txt'), fx('no-dump.txt')]).code, 2);
});

test('--profile xen-vm86 adds what the root cause means for Xen; a profile contradicting the dump is reported', () => {
  const r = vmcheck([fx('xen34-v86-pm.txt'), '--profile', 'xen-vm86', '--json']);
  const j = JSON.parse(r.out);
  assert.equal(j.hints.length, 1);
  assert.match(j.hints[0], /a Xen bug path/);
  const u = JSON.parse(vmcheck([fx('kvm-plain-realmode.txt'), '--profile', 'unrestricted', '--json']).out);
  assert.ok(u.warnings.some((w: string) => /the dump's controls have unrestricted guest = 0; they are used as dumped/.test(w)));
  assert.equal(u.verdict, 'fail', 'the dump wins over the profile');
});

test('a log that reports 0x80000021 while every modelled check passes says so', () => {
  const text = readFileSync(fx('xen46-quoted-wrapped.txt'), 'utf8').replace('DS: 0000 00092', 'DS: 0000 00093');
  const j = JSON.parse(vmcheck(['-', '--json'], text).out);
  assert.equal(j.verdict, 'pass');
  assert.ok(j.warnings.some((w: string) => /reports VM-entry failure 0x80000021 .* but no modelled check fails/.test(w)));
});

test('without --profile, a dump with unrestricted guest gets no profile warning', () => {
  const j = JSON.parse(vmcheck([fx('xen46-quoted-wrapped.txt'), '--json']).out);
  assert.deepEqual(j.warnings, []);
});

test('a text with a KVM dump then a Xen dump: each reported with its label; --dump N picks one', () => {
  const r = vmcheck([fx('kvm-then-xen.txt')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^== dump 1 of 2 \(lines 1-42\) ==\nKVM dump_vmcs VMCS dump; profile raw\n/);
  assert.match(r.out, /\n== dump 2 of 2 \(lines 43-\d+\) ==\nXen 3\.4-4\.5 \(sel=\/attr= lines\) VMCS dump; profile raw\nlog: Failed vm entry/);
  const all = JSON.parse(vmcheck([fx('kvm-then-xen.txt'), '--json']).out);
  assert.deepEqual(all.dumps.map((d: { source: string; dump: { index: number } }) => [d.source, d.dump.index]), [['kvm', 1], ['xen', 2]]);
  const two = JSON.parse(vmcheck([fx('kvm-then-xen.txt'), '--dump', '2', '--json']).out);
  assert.equal(two.source, 'xen');
  assert.deepEqual(two.dump, { index: 2, count: 2, firstLine: 43, lastLine: 87 });
  assert.equal(two.checks.filter((c: { status: string }) => c.status === 'fail').length, 18);
  const over = vmcheck([fx('kvm-then-xen.txt'), '--dump', '3']);
  assert.equal(over.code, 1);
  assert.match(over.err, /kvm-then-xen\.txt: --dump 3, but the text has 2 dumps/);
  assert.equal(vmcheck([fx('kvm-then-xen.txt'), '--dump', 'first']).code, 2);
});

test('a dump cut at 40 columns: no CR0/CR4 failures, warnings name the cut lines, the checks say why they skip', () => {
  const j = JSON.parse(vmcheck([fx('kvm-plain-realmode-cut40.txt'), '--json']).out);
  assert.equal(j.guest.cr0, undefined);
  assert.deepEqual(j.checks.filter((c: { status: string }) => c.status === 'fail'), []);
  assert.ok(j.warnings.includes("GUEST_CR4 is cut off at line 3: 'CR4: actual=0x00000000000': checks that need it are skipped"));
  assert.ok(j.warnings.some((w: string) => /^the control section is cut: profile raw's assumptions are not used/.test(w)));
  assert.match(j.checks.find((c: { id: string }) => c.id === 'CR4.FIXED').message, /which is cut off at line 3/);
  assert.ok(j.warnings.some((w: string) => /no modelled check fails: .*or one of the values it gives unreadably, warned about above\)$/.test(w)));
});
