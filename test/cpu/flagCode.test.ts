// The block compiler reads flags from its locals through the interpreter's own definitions
// (emulator/cpu/jit/flagCode.ts over flags.ts and exec/conditions.ts). For every lazy producer and
// size, on seeded random operands, the code it writes for each status flag and each of the sixteen
// conditions must give what the interpreter's getters and condition() give on the same state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { condition } from '../../emulator/cpu/exec/conditions';
import { type FlagState, getAF, getCF, getOF, getPF, getSF, getZF, LZ_ADD, LZ_DEC, LZ_INC, LZ_LOGIC, LZ_SUB, setLazy, setLazyIncDec } from '../../emulator/cpu/flags';
import { type Callee, type Code, render } from '../../emulator/cpu/jit/code';
import { conditionCode, flagValue, type Producer } from '../../emulator/cpu/jit/flagCode';
import { EFLAGS_AF, EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_STATUS, EFLAGS_ZF, EFLAGS_FIXED1 } from '../../emulator/cpu/regs';

/** Runs `code` (a boolean expression over the flag locals and `cpu`) as a block would. */
function evaluate(code: Code, s: FlagState): boolean {
  const consts: Callee[] = [];
  const text = render(code, {
    ref: (fn) => `k${consts.push(fn) - 1}`,
    flag: () => assert.fail('no flag holes in a flag read'),
    slow: () => assert.fail('no slow holes in a flag read'),
    phys: () => assert.fail('no memory in a flag read'),
    segField: () => assert.fail('no memory in a flag read'),
  });
  const fn = new Function('K', 'cpu', '$fo', '$fd', '$fs', '$fr', `${consts.map((_, i) => `const k${i} = K[${i}];`).join(' ')} return ${text};`);
  return fn(consts, s, s.lzOp, s.lzDst, s.lzSrc, s.lzRes) as boolean;
}

const GETTERS: [number, (s: FlagState) => boolean][] = [
  [EFLAGS_CF, getCF], [EFLAGS_PF, getPF], [EFLAGS_AF, getAF], [EFLAGS_ZF, getZF], [EFLAGS_SF, getSF], [EFLAGS_OF, getOF],
];

test('flag and condition code from a known producer agrees with the interpreter on the same state', () => {
  let seed = 0x2545f491;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  let checked = 0;
  for (const size of [8, 16, 32]) {
    const mask = size === 32 ? 0xffffffff : (1 << size) - 1;
    for (const op of [LZ_ADD, LZ_SUB, LZ_LOGIC, LZ_INC, LZ_DEC]) {
      for (let i = 0; i < 100; i++) {
        // Edge values often: 0, the sign bit and its neighbours, all ones.
        const pick = () => [0, 1, mask, mask >>> 1, ((mask >>> 1) + 1) >>> 0, next() & mask][next() % 6] >>> 0;
        const a = pick(), b = pick();
        const s: FlagState = { flags: EFLAGS_FIXED1 | (next() & EFLAGS_STATUS), lazy: 0, lzOp: 0, lzDst: 0, lzSrc: 0, lzRes: 0, lzMask: 0 };
        if (op === LZ_INC || op === LZ_DEC) setLazyIncDec(s, op, a, ((op === LZ_INC ? a + 1 : a - 1) & mask) >>> 0, mask);
        else setLazy(s, op, a, b, ((op === LZ_ADD ? a + b : op === LZ_SUB ? a - b : a & b) & mask) >>> 0, mask);
        const known: Producer = { op, size, lazy: s.lazy };
        for (const [bit, get] of GETTERS) assert.equal(evaluate(flagValue(bit, known), s), get(s), `op ${op} size ${size} ${a},${b} flag ${bit}`);
        for (let cc = 0; cc < 16; cc++) {
          assert.equal(evaluate(conditionCode(cc, known), s), condition(s, cc), `op ${op} size ${size} ${a},${b} cc ${cc}`);
          checked++;
        }
      }
    }
  }
  assert.equal(checked, 3 * 5 * 100 * 16);
});
