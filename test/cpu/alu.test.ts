// The interpreter's ALU results (exec/alu.ts aluResult) and the operators compiled blocks write
// (ALU_OPERATOR) are the same operations: for every lazy ALU operation, on edge and random operands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALU_NAMES, ALU_OPERATOR, ALU_PRODUCER, aluResult } from '../../emulator/cpu/exec/alu';

test('aluResult computes what ALU_OPERATOR writes, for each lazy operation (ADC and SBB have neither)', () => {
  const edges = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const pairs = [...edges.flatMap((a) => edges.map((b) => [a, b])), ...Array.from({ length: 500 }, () => [random(), random()])];
  for (let op = 0; op < 8; op++) {
    assert.equal(ALU_OPERATOR[op] === '', ALU_PRODUCER[op] < 0, `${ALU_NAMES[op]}: an operator exactly where its flags are lazy`);
    if (!ALU_OPERATOR[op]) continue;
    const written = new Function('a', 'b', `return a ${ALU_OPERATOR[op]} b;`) as (a: number, b: number) => number;
    for (const [a, b] of pairs) assert.equal(aluResult(op, a, b), written(a, b), `${ALU_NAMES[op]} ${a} ${b}`);
  }
});
