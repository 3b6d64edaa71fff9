// Dump parsers on text as people paste it: Xen 3.4 sel=/attr= lines and the 4.6+ column table, KVM dump_vmcs with and
// without 'kvm_intel:' prefixes, '(XEN)' prefixes and timestamps, '>' / '> >' mail quoting, lines wrapped at ~80 columns
// (a value on the next line, or split inside its digits), noise around the dump, truncated and malformed dumps, no dump;
// lines cut at a fixed width, fields given twice, several dumps in one text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVmcsDump, parseVmcsDumps, VmcsDumpError } from '../../emulator/vmx/parsers/parseDump';
import { stripPrefixes } from '../../emulator/vmx/parsers/normalize';
import { runEntryChecks } from '../../emulator/vmx/entryChecks';
import { rootCauses } from '../../emulator/vmx/rootCause';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const failing = (text: string) => {
  const d = parseVmcsDump(text);
  return runEntryChecks(d).failures.map((f) => f.id);
};

/** Wraps every line at the last space before `width` columns, as a mail client does. */
function softWrap(text: string, width: number, prefix = ''): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let rest = line;
    while (rest.length > width) {
      const cut = rest.lastIndexOf(' ', width);
      if (cut <= 0) break;
      out.push(rest.slice(0, cut));
      rest = prefix + rest.slice(cut + 1);
    }
    out.push(rest);
  }
  return out.join('\n');
}

test('stripPrefixes removes quoting, (XEN), timestamps, syslog headers and kvm_intel:', () => {
  assert.equal(stripPrefixes('> > (XEN) [2026-11-25 09:14:02.310]   CS: 0060 0c09b'), 'CS: 0060 0c09b');
  assert.equal(stripPrefixes('>> [  812.441219] kvm_intel: CS:   sel=0x0010'), 'CS:   sel=0x0010');
  assert.equal(stripPrefixes('Nov 25 09:14:02 host7 kernel: [  812.441219] kvm_intel: TR:   sel=0x0040'), 'TR:   sel=0x0040');
  assert.equal(stripPrefixes('2026-11-25T09:14:02.310+00:00 host7 kernel: kvm_intel: RFLAGS=0x00000246'), 'RFLAGS=0x00000246');
});

test('Xen 3.4 dump: RFLAGS.VM=1 over protected-mode segments → 18 v86 failures, one root cause', () => {
  const d = parseVmcsDump(fixture('xen34-v86-pm.txt'));
  assert.equal(d.source, 'xen');
  assert.equal(d.format, 'Xen 3.4-4.5 (sel=/attr= lines)');
  assert.deepEqual(d.failure && { r: d.failure.exitReason, q: d.failure.qualification }, { r: 0x80000021, q: 0 });
  assert.deepEqual(d.guest.cs, { selector: 0x8, access: 0xc09b, limit: 0xffffffff, base: 0n });
  assert.deepEqual(d.guest.gdtr, { limit: 0x17, base: 0x7e00n });
  assert.deepEqual(d.guest.tr, { selector: 0, access: 0x8b, limit: 0xff, base: 0xfc000n });
  assert.equal(d.guest.rsp, 0x6ff0n, 'the VMCS value, not the software copy in parentheses');
  assert.equal(d.guest.rflags, 0x33002n);
  assert.equal(d.guest.pat, 0x0007040600070406n);
  assert.equal(d.guest.interruptibility, 0);
  assert.equal(d.guest.activityState, 0);
  assert.equal(d.host?.rip, 0xffff82c4801c3f20n);
  assert.deepEqual(d.host?.selectors, { cs: 0xe008, ss: 0, ds: 0, es: 0, fs: 0, gs: 0, tr: 0xe040 });
  assert.equal(d.controls?.procBased2, 0x43);
  assert.equal(d.controls?.entry, 0x11fb);
  assert.equal(d.exit?.reason, 0x80000021);
  assert.deepEqual(d.warnings, []);
  const r = runEntryChecks(d);
  assert.equal(r.failures.length, 18);
  assert.ok(r.failures.every((f) => f.id.startsWith('V86.')));
  const rc = rootCauses(d, r);
  assert.equal(rc.length, 1);
  assert.match(rc[0].summary, /^protected-mode segment state with EFLAGS.VM set/);
});

test('Xen 4.6+ column table with timestamps and noise: a valid 32-bit PAE guest passes everything', () => {
  const d = parseVmcsDump(fixture('xen46-column-pass.txt'));
  assert.equal(d.format, 'Xen 4.6+ (column table)');
  assert.deepEqual(d.guest.gs, { selector: 0xe0, access: 0x4091, limit: 0x18, base: 0xc1b2d2c0n });
  assert.deepEqual(d.guest.idtr, { limit: 0x7ff, base: 0xff808000n });
  assert.deepEqual(d.guest.pdpte, [0x1b2f001n, 0x1b30001n, 0x1b31001n, 0x1b32001n]);
  assert.equal(d.guest.efer, 0x800n);
  assert.equal(d.guest.rip, 0xc1024e7en);
  assert.equal(d.guest.sysenterCs, 0x60);
  assert.equal(d.guest.sysenterEip, 0xc15aa8c0n);
  assert.equal(d.host?.rsp, 0xffff83083b947f70n);
  const r = runEntryChecks(d);
  assert.deepEqual(r.failures, []);
  assert.equal(r.checks.find((c) => c.id === 'PDPTE.RSVD')?.status, 'pass', 'EPT + PAE: the dumped PDPTEs are checked');
  assert.equal(r.checks.find((c) => c.id === 'LDTR.TYPE')?.message, 'LDTR unusable');
});

test('Xen 4.6+ quoted twice in a mail and wrapped mid-field: only the unaccessed DS fails', () => {
  const d = parseVmcsDump(fixture('xen46-quoted-wrapped.txt'));
  assert.equal(d.source, 'xen');
  assert.equal(d.guest.cr0, 0x30n, 'gh_mask value on the next line does not disturb CR0');
  assert.deepEqual(d.guest.ds, { selector: 0, access: 0x92, limit: 0xffff, base: 0n }, 'base wrapped onto the next line');
  assert.equal(d.guest.rip, 0xfff0n);
  assert.equal(d.host?.rsp, 0xffff830839c2ff70n, 'value on the line after "RSP ="');
  assert.equal(d.failure?.exitReason, 0x80000021);
  assert.deepEqual(failing(fixture('xen46-quoted-wrapped.txt')), ['TYPE.DATA.ACC.DS']);
});

test('KVM dump_vmcs with dmesg timestamps and kvm_intel: prefixes (newer kernel): a 64-bit guest with an available TSS', () => {
  const text = fixture('kvm-prefixed-64bit.txt');
  const d = parseVmcsDump(text);
  assert.equal(d.source, 'kvm');
  assert.equal(d.format, 'KVM dump_vmcs (Linux 5.13+)');
  assert.deepEqual(d.guest.ss, { selector: 0x18, access: 0xc093, limit: 0xffffffff, base: 0n });
  assert.equal(d.guest.gs?.base, 0xffff88813bd80000n);
  assert.equal(d.guest.efer, 0xd01n, '"EFER= 0x... (effective)"');
  assert.equal(d.controls?.procBased2, 0x021217eb);
  assert.equal(d.controls?.pinBased, 0xff);
  assert.equal(d.controls?.entry, 0xd3ff);
  assert.deepEqual(failing(text), ['TR.TYPE']);
  // The same dump without any prefix parses to the same state.
  const bare = text.split('\n').map((l) => l.replace(/^\[[^\]]*\] kvm_intel: /, '')).join('\n');
  assert.deepEqual(parseVmcsDump(bare).guest, d.guest);
});

test('KVM dump_vmcs without kvm_intel: prefixes (older kernel): real mode without unrestricted guest', () => {
  const d = parseVmcsDump(fixture('kvm-plain-realmode.txt'));
  assert.equal(d.source, 'kvm');
  assert.equal(d.format, 'KVM dump_vmcs');
  assert.equal(d.guest.cs?.base, 0xffff0000n);
  assert.equal(d.guest.pat, 0x0007040600070406n);
  const r = runEntryChecks(d);
  assert.deepEqual(r.failures.map((f) => f.id), ['CR0.FIXED']);
  assert.match(r.failures[0].message, /CR0 is 0x00000010 but bits 0 \(PE\), 5 \(NE\), 31 \(PG\) must be 1/);
  assert.equal(rootCauses(d, r)[0].id, 'real-mode-without-ug');
});

test('a dump soft-wrapped at 80 columns (continuations unprefixed or quoted) parses to the same state', () => {
  for (const name of ['xen34-v86-pm.txt', 'kvm-prefixed-64bit.txt', 'xen46-column-pass.txt']) {
    const text = fixture(name);
    const want = parseVmcsDump(text);
    assert.deepEqual(parseVmcsDump(softWrap(text, 80)).guest, want.guest, `${name} wrapped`);
    const quoted = softWrap(text.split('\n').map((l) => '> ' + l).join('\n'), 78, '> ');
    const got = parseVmcsDump(quoted);
    assert.deepEqual(got.guest, want.guest, `${name} quoted and wrapped`);
    assert.deepEqual(got.controls, want.controls, `${name} controls`);
  }
});

test('a fixed-width value hard-wrapped inside its digits is re-joined', () => {
  const text = fixture('xen34-v86-pm.txt')
    .replace('attr=0x0c09b, limit=0xffffffff, base=0x0000000000000000', 'attr=0x0c0\n9b, limit=0xffffffff, base=0x00000000000\n00000')
    .replace('(XEN)   TR:', '(XEN)   TR:');
  const d = parseVmcsDump(text);
  assert.deepEqual(d.guest.cs, { selector: 0x8, access: 0xc09b, limit: 0xffffffff, base: 0n });
  const col = fixture('xen46-column-pass.txt').replace('  TR: 0080 0008b 0000206b 00000000f5a0d680', '  TR: 0080 0008b 0000206b 00000000\n(XEN) f5a0d680');
  assert.deepEqual(parseVmcsDump(col).guest.tr, { selector: 0x80, access: 0x8b, limit: 0x206b, base: 0xf5a0d680n });
});

test('a truncated dump: the fields present are checked, the rest skip; a cut-off value is not read', () => {
  const d = parseVmcsDump(fixture('xen46-truncated.txt'));
  assert.deepEqual(d.guest.ss, { selector: 0, access: 0xf3 }, '"0000ff" is a cut-off limit, not 0xff');
  assert.match(d.warnings.join('\n'), /GUEST_SS_LIMIT is cut off at line 13: 'SS: 0000 000f3 0000ff'/);
  assert.match(d.warnings.join('\n'), /not in the dump \(checks that need them are skipped\): .*GUEST_SS_BASE, GUEST_ES_\*/);
  assert.match(d.warnings.join('\n'), /no '\*\*\* Control State \*\*\*' section/);
  const r = runEntryChecks(d, { assume: { unrestrictedGuest: false, ia32eGuest: false } });
  assert.deepEqual(r.failures.map((f) => f.id), ['V86.BASE.DS', 'V86.LIMIT.DS']);
  assert.match(r.checks.find((c) => c.id === 'V86.LIMIT.SS')!.message, /needs GUEST_SS_LIMIT, which is cut off at line 13/);
  assert.match(rootCauses(d, r)[0].summary, /^virtual-8086 mode with segment registers out of real-mode shape/);
});

test('a malformed field is missing, not a crash, and its checks skip', () => {
  const text = fixture('xen34-v86-pm.txt').replace('DS: sel=0x0010, attr=0x0c093', 'DS: sel=0x0010, attr=0x0c0zz');
  const d = parseVmcsDump(text);
  assert.equal(d.guest.ds?.access, undefined);
  assert.equal(d.guest.ds?.limit, 0xffffffff);
  assert.ok(d.warnings.includes("GUEST_DS_AR_BYTES cannot be read at line 15: 'DS: sel=0x0010, attr=0x0c0zz, limit=0xffffffff, "
    + "base=0x0000000000000000': checks that need it are skipped"), d.warnings.join('\n'));
  const r = runEntryChecks(d);
  assert.equal(r.checks.find((c) => c.id === 'V86.AR.DS')?.status, 'skip');
  assert.match(r.checks.find((c) => c.id === 'V86.AR.DS')!.message, /which cannot be read at line 15/);
  assert.equal(r.failures.length, 17);
});

test('no dump → VmcsDumpError saying what was expected', () => {
  assert.throws(() => parseVmcsDump(fixture('no-dump.txt')), (e: unknown) => e instanceof VmcsDumpError && /no VMCS dump found: expected .*Guest State/.test(e.message));
  assert.throws(() => parseVmcsDump(''), VmcsDumpError);
  assert.throws(() => parseVmcsDump('*** Guest State ***\nnothing here\n*** Host State ***'), /has no fields this parser knows/);
});

test('a KVM dump then a Xen dump: each is read with its own source, format, failure line and lines', () => {
  const text = fixture('kvm-then-xen.txt');
  const [kvm, xen, ...rest] = parseVmcsDumps(text);
  assert.equal(rest.length, 0);
  assert.deepEqual([kvm.source, kvm.format, kvm.index, kvm.count, kvm.firstLine, kvm.lastLine], ['kvm', 'KVM dump_vmcs', 1, 2, 1, 42]);
  assert.deepEqual([xen.source, xen.format, xen.index, xen.count, xen.firstLine], ['xen', 'Xen 3.4-4.5 (sel=/attr= lines)', 2, 2, 43]);
  assert.equal(kvm.failure, undefined, "Xen's failure line is not the KVM dump's");
  assert.match(xen.failure?.text ?? '', /^Failed vm entry/);
  assert.deepEqual(kvm.guest, parseVmcsDump(fixture('kvm-plain-realmode.txt')).guest);
  assert.deepEqual(xen.guest, parseVmcsDump(fixture('xen34-v86-pm.txt')).guest);
  assert.deepEqual(xen.controls, parseVmcsDump(fixture('xen34-v86-pm.txt')).controls);
  assert.deepEqual(runEntryChecks(kvm).failures.map((f) => f.id), ['CR0.FIXED']);
  assert.equal(runEntryChecks(xen).failures.length, 18);
  // A Xen 'v' key dump (several domains) after a KVM dump: the banner lines start the Xen dump.
  const three = parseVmcsDumps(fixture('kvm-prefixed-64bit.txt') + fixture('xen46-column-pass.txt'));
  assert.deepEqual(three.map((d) => [d.source, d.firstLine]), [['kvm', 1], ['xen', 49]]);
});

test('lines cut at 40 columns: cut values are warnings naming the line, their checks skip, nothing else changes', () => {
  const d = parseVmcsDump(fixture('kvm-plain-realmode-cut40.txt'));
  assert.equal(d.guest.cr0, undefined, "'0x00000000000' is the start of CR0, not 0");
  assert.equal(d.guest.cr4, undefined);
  assert.ok(d.warnings.includes("GUEST_CR0 is cut off at line 2: 'CR0: actual=0x00000000000': checks that need it are skipped"), d.warnings.join('\n'));
  assert.ok(d.warnings.includes("GUEST_CS_AR_BYTES is cut off at line 8: 'CS:   sel=0xf000, attr=0x': checks that need it are skipped"));
  assert.ok(d.warnings.some((w) => /^GUEST_INTERRUPTIBILITY_INFO is cut off at line 20/.test(w)), 'an 8-digit field cut to 6');
  const r = runEntryChecks(d, { assume: { unrestrictedGuest: false } });
  for (const id of ['CR0.FIXED', 'CR4.FIXED']) {
    const c = r.checks.find((x) => x.id === id)!;
    assert.equal(c.status, 'skip', id);
    assert.match(c.message, /^needs GUEST_CR[04], which is cut off at line [23]: 'CR[04]: actual=0x00000000000'$/);
  }
  assert.deepEqual(r.failures, []);
});

test('any fixture cut at any width from 20 to 130 columns: no check passes or fails unlike the whole dump', () => {
  for (const name of ['xen34-v86-pm.txt', 'kvm-prefixed-64bit.txt', 'xen46-column-pass.txt', 'xen46-quoted-wrapped.txt', 'kvm-plain-realmode.txt']) {
    const text = fixture(name);
    for (const assume of [{ unrestrictedGuest: false, ia32eGuest: false }, { unrestrictedGuest: true, ia32eGuest: false }]) {
      const whole = new Map(runEntryChecks(parseVmcsDump(text), { assume }).checks.map((c) => [c.id, c.status]));
      for (let w = 20; w <= 130; w++) {
        let d;
        try {
          d = parseVmcsDump(text.split('\n').map((l) => l.slice(0, w)).join('\n'));
        } catch (e) {
          assert.ok(e instanceof VmcsDumpError, `${name} at ${w}: ${e}`);
          continue;
        }
        for (const c of runEntryChecks(d, { assume }).checks) {
          if (c.status !== 'skip') assert.equal(c.status, whole.get(c.id), `${name} cut at ${w}: ${c.id} ${c.message}`);
        }
      }
    }
  }
});

test('a field given twice with different values is left out with a warning naming both lines; the same value twice is fine', () => {
  const d = parseVmcsDump(fixture('xen34-duplicates.txt'));
  assert.equal(d.guest.cs?.selector, undefined);
  assert.equal(d.guest.cs?.access, 0xc09b, 'the parts that agree are kept');
  assert.equal(d.guest.cr0, undefined);
  assert.equal(d.guest.ds?.selector, 0x10, 'DS twice with the same values');
  const w = d.warnings.join('\n');
  assert.match(w, /GUEST_CS_SELECTOR is given 2 times with different values: 0x8 \(line 14\), 0x80 \(line 15\): checks that need it are skipped/);
  assert.match(w, /GUEST_CR0 is given 2 times with different values: 0x80000031 \(line 6\), 0x80000011 \(line 26\)/);
  assert.doesNotMatch(w, /GUEST_DS_/);
  const r = runEntryChecks(d);
  const base = r.checks.find((c) => c.id === 'V86.BASE.CS')!;
  assert.equal(base.status, 'skip');
  assert.match(base.message, /needs GUEST_CS_SELECTOR, which is given 2 times with different values/);
  assert.equal(r.checks.find((c) => c.id === 'CR0.FIXED')?.status, 'skip');
  assert.equal(r.checks.find((c) => c.id === 'V86.BASE.SS')?.status, 'fail', 'checks on other fields still run');
});

test('Xen 3.3 and older: attr in Xen\'s 12-bit layout is unpacked to the VMCS layout, with a warning', () => {
  const old = fixture('xen34-v86-pm.txt').replaceAll('attr=0x0c09b', 'attr=0x00c9b').replaceAll('attr=0x0c093', 'attr=0x00c93');
  const d = parseVmcsDump(old);
  assert.equal(d.guest.cs?.access, 0xc09b);
  assert.equal(d.guest.ds?.access, 0xc093);
  assert.equal(d.guest.tr?.access, 0x8b);
  assert.match(d.warnings.join('\n'), /12-bit segment_register layout/);
  assert.equal(runEntryChecks(d).failures.length, 18, 'no spurious reserved-bit failures');
  // A VMCS-layout dump is left alone (bits above 11 present).
  assert.equal(parseVmcsDump(fixture('xen34-v86-pm.txt')).guest.cs?.access, 0xc09b);
});

test('HTML-escaped quoting (&gt;) and the KVM "dump_invalid_vmcs" hint', () => {
  const html = fixture('xen34-v86-pm.txt').split('\n').map((l) => '&gt; ' + l).join('\n');
  assert.deepEqual(parseVmcsDump(html).guest, parseVmcsDump(fixture('xen34-v86-pm.txt')).guest);
  assert.throws(() => parseVmcsDump('kvm_intel: set kvm_intel.dump_invalid_vmcs=1 to dump internal KVM state.'), /load kvm_intel with dump_invalid_vmcs=1/);
});

test("QEMU's register dump after 'KVM: entry failed' is not a VMCS dump: the error says where to get one", () => {
  const qemu = [
    'KVM: entry failed, hardware error 0x80000021',
    '',
    'EAX=00000000 EBX=00000000 ECX=00000000 EDX=00000663',
    'EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0',
    'ES =0000 00000000 0000ffff 00009300',
    'CS =f000 ffff0000 0000ffff 00009b00',
    'CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000',
  ].join('\n');
  assert.throws(() => parseVmcsDump(qemu), /QEMU's register dump .* dump_invalid_vmcs=1/);
});

test('the 64-bit KVM dump with a busy TSS passes every check (no spurious failures in IA-32e mode)', () => {
  const fixed = fixture('kvm-prefixed-64bit.txt').replace('attr=0x00089', 'attr=0x0008b');
  const r = runEntryChecks(parseVmcsDump(fixed));
  assert.deepEqual(r.failures, []);
  for (const id of ['RIP.CANON', 'EFER.LMA', 'EFER.LME', 'PAT.VALID', 'AR.CS_DB_L', 'BASE.CANON.GS', 'TR.TYPE', 'DEBUGCTL.RSVD']) {
    assert.equal(r.checks.find((c) => c.id === id)?.status, 'pass', id);
  }
});

test('a dump in quoted-printable mail (=3D for "=", soft line breaks) parses to the same state', () => {
  const plain = fixture('kvm-prefixed-64bit.txt');
  const qp = plain.split('\n').map((l) => {
    const enc = l.replaceAll('=', '=3D');
    return enc.length > 76 ? enc.slice(0, 75) + '=\n' + enc.slice(75) : enc;
  }).join('\n');
  assert.ok(qp.includes('=\n'));
  assert.deepEqual(parseVmcsDump(qp).guest, parseVmcsDump(plain).guest);
  const quoted = qp.split('\n').map((l) => '> ' + l).join('\n');
  assert.deepEqual(parseVmcsDump(quoted).guest, parseVmcsDump(plain).guest);
});

test('a lower-case hex value after "=" is not taken for quoted-printable', () => {
  const text = fixture('xen34-v86-pm.txt').replace('ExceptionBitmap=ffffffff', 'ExceptionBitmap=3d3d3d3d');
  assert.equal(parseVmcsDump(text).controls?.exceptionBitmap, 0x3d3d3d3d);
});
