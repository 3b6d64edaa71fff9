// The panels' custom requests (protocol/customRequests.ts) over a real DAP stream: status, descriptor tables
// with the entries the caches came from, the VMCS and the VM-entry verdict of a hypervisor profile on
// the live state, and the screen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, DapClient, type Fixture } from './dapClient';

let fx: Fixture;
before(() => { fx = assemble('pmswitch'); });

describe('panel requests', () => {
  let c: DapClient;
  after(() => c?.close());

  test('bootscope/status at entry', async () => {
    c = DapClient.spawn();
    await c.launch({ image: fx.image });
    const s = await c.request('bootscope/status');
    assert.deepEqual(s, { mode: 'real', cs: 0, eip: 0x7c00, instructions: 0, running: false });
  });

  test('after mov cr0: xen-vm86 emulates, raw fails with the SS checks of SDM 26.3.1.2', async () => {
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('AFTERCR0')}` }] });
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await stop;
    const xen = await c.request('bootscope/checkVmEntry', { profile: 'xen-vm86' });
    assert.equal(xen.verdict, 'emulate');
    assert.match(xen.reason, /SS/);
    const raw = await c.request('bootscope/checkVmEntry', { profile: 'raw' });
    assert.equal(raw.verdict, 'fail');
    const failing = raw.checks.filter((k: { status: string }) => k.status === 'fail');
    assert.ok(failing.some((k: { id: string; section: string }) => k.id === 'SEL.SS_RPL' && k.section === '26.3.1.2'), JSON.stringify(failing.map((k: { id: string }) => k.id)));
    assert.ok(raw.checks.some((k: { status: string }) => k.status === 'pass'));
    const vmcs = await c.request('bootscope/readVmcs', { profile: 'raw' });
    const row = (n: string) => vmcs.rows.find((r: { name: string }) => r.name === n);
    assert.equal(row('GUEST_SS_SELECTOR').value, 0x9ffb);
    assert.equal(row('GUEST_CR0').value & 1, 1);
    const bad = await c.raw('bootscope/checkVmEntry', { profile: 'vmware' });
    assert.equal(bad.success, false);
    assert.match(bad.message ?? '', /unknown profile/);
  });

  test('descriptor tables: GDT entries, which register caches them, and the not-present explanation', async () => {
    await c.request('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `${fx.marker('PM')}` }] });
    const stop = c.nextStop();
    await c.request('continue', { threadId: 1 });
    await stop;
    const t = await c.request('bootscope/readDescriptorTables');
    assert.equal(t.mode, 'pm16');
    assert.equal(t.segments.cs.selector, 8);
    const gdt = t.tables.find((x: { name: string }) => x.name === 'gdt');
    assert.equal(gdt.entries.length, 4);
    assert.deepEqual(gdt.entries[1].cachedBy, ['CS']);
    assert.match(gdt.entries[1].explain, /16-bit code/);
    assert.match(gdt.entries[3].explain, /not present: loading it would raise #NP\(0x0018\)/);
    assert.ok(t.tables.some((x: { name: string }) => x.name === 'idt'));
    const s = await c.request('bootscope/status');
    assert.equal(s.mode, 'pm16');
    const screen = await c.request('bootscope/readScreen');
    assert.equal(screen.rows, 25);
    assert.equal(screen.text.length, 25);
    assert.equal(screen.attributes.length, 80 * 25);
  });
});
