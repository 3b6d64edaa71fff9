// The module's public API (emulator/vmx/index.ts) as the CLI, the run command and the DAP panel use it: the panel
// view is plain JSON (numbers, no bigint) with the verdict, checks, root causes and the VMCS rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vmx from '../../emulator/vmx';

test('profileViewJson is JSON-serialisable and carries verdict, checks and the VMCS rows', () => {
  const snap: vmx.CpuSnapshot = {
    segments: {
      es: { selector: 0, base: 0, limit: 0xffff, access: 0x93 }, cs: { selector: 0, base: 0, limit: 0xffff, access: 0x9b },
      ss: { selector: 0x1003, base: 0x10030, limit: 0xffff, access: 0x93 }, ds: { selector: 0, base: 0, limit: 0xffff, access: 0x93 },
      fs: { selector: 0, base: 0, limit: 0xffff, access: 0x93 }, gs: { selector: 0, base: 0, limit: 0xffff, access: 0x93 },
      ldtr: { selector: 0, base: 0, limit: 0xffff, access: 0x82 }, tr: { selector: 0, base: 0, limit: 0xffff, access: 0x8b },
    },
    cr0: 0x11, cr3: 0, cr4: 0, eflags: 2, eip: 0x7c17, esp: 0x100,
    gdtr: { base: 0x7c28, limit: 0xf }, idtr: { base: 0, limit: 0x3ff },
  };
  const r = vmx.evaluateProfile('raw', snap);
  const view = vmx.profileViewJson(r, vmx.rootCauses(r.entered!, r.report!));
  const json = JSON.parse(JSON.stringify(view));
  assert.equal(json.verdict, 'fail');
  assert.ok(json.checks.length === vmx.ENTRY_CHECKS.length);
  assert.equal(json.vmcs.find((row: { name: string }) => row.name === 'GUEST_SS_SELECTOR').value, 0x1003);
  assert.ok(json.rootCauses.some((c: { id: string }) => c.id === 'ss-rpl'));
});
