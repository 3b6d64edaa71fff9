// The magic breakpoint (emulator/debug/magicBreakpoint.ts) in compiled blocks: a hot loop holding
// `xchg bx, bx` stops right after it in every round, exactly as interpreted; disarmed, XCHG's
// dispatch entries are the plain ones again (nothing is paid when it is not armed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlockCache } from '../../emulator/cpu/jit/blocks';
import { MagicBreakpoint } from '../../emulator/debug/magicBreakpoint';
import { Machine } from '../../emulator/machine';

// 7C00: mov cx, 200 / l: inc ax / xchg bx, bx / xchg cx, cx / xchg cx, cx / loop l / hlt
const CODE = [0xb9, 0xc8, 0x00, 0x40, 0x87, 0xdb, 0x87, 0xc9, 0x87, 0xc9, 0xe2, 0xf7, 0xf4];

function machine(jit: boolean): Machine {
  const m = new Machine({ cpu: '80386', memoryMB: 1 });
  const sector = new Uint8Array(512);
  sector.set(CODE);
  m.loadBootSector(sector, 0);
  if (jit) (m.cpu.jit as BlockCache).hot = 1;
  else m.cpu.jit = null;
  return m;
}

test('magic breakpoint: every round of a compiled loop stops right after xchg bx, bx, as interpreted', () => {
  const stops = [false, true].map((jit) => {
    const m = machine(jit);
    const magic = new MagicBreakpoint(m);
    // Hot first, unarmed: the loop runs compiled.
    m.run({ maxInstructions: 250 });
    magic.arm(true);
    const seen: string[] = [];
    for (;;) {
      const s = m.run({ maxInstructions: 10_000 });
      if (s.reason !== 'pause') break;
      assert.equal(magic.takeHit(), 'magic breakpoint: xchg bx, bx at 0000:7C04');
      assert.equal(m.cpu.eip, 0x7c06);
      seen.push(`${m.cpu.icount}/${m.cpu.r16[0]}`);
    }
    assert.equal(m.cpu.halted, true);
    if (jit) assert.ok((m.cpu.jit as BlockCache).compiled > 0);
    magic.arm(false);
    assert.equal(m.cpu.ops[0x87], m.cpu.baseOps[0x87]);
    assert.equal(m.cpu.ops[0x287], m.cpu.baseOps[0x287]);
    return seen;
  });
  assert.ok(stops[0].length > 100);
  assert.deepEqual(stops[1], stops[0]);
});
