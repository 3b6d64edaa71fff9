// The seeded DAP fuzzer (issue 14): random request sequences with random argument values — valid, out
// of bounds, of the wrong type — against a live session on a fixture, for a bounded time. It asserts that
// the adapter never crashes, answers every request within a bound, never answers with a JavaScript
// error, and stays under an RSS bound. fuzz.test.ts runs it (full tier).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assemble, DapClient } from '../dap/dapClient';

/** No request may take longer than this to be answered (a goto or a scan answers when it stops: pause ends it). */
const ANSWER_MS = 15_000;
const MAX_RSS_MB = 1536;
const JS_ERROR = /Cannot read prop|is not a function|is not iterable|TypeError|RangeError|call stack|\bat .*\.js:\d+/;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fuzzes a fresh session for `RUN_MS` with seed `SEED`; returns the requests sent and the RSS at the end (MiB). */
export async function fuzz(SEED: number, RUN_MS: number): Promise<{ requests: number; rssMiB: number }> {
  const fx = assemble('inputs');
  const rnd = mulberry32(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const num = () => pick([0, 1, -1, 2, 16, 4096, 4097, 1e6, 1e12, -1e12, 1.5, Number.MAX_SAFE_INTEGER, 0x7c00, 0x7e00, 0xffffffff]);
  const str = () => pick(['', 'ax', 'eax', '0x7c00', '0000:7C00', '[ds:si]', 'word [0x7e00]', 'cs.base', '((((', 'x'.repeat(5000), '\\{Nope}', 'abc\\n', 'phys 0x7c00', '7e00/2', '7e00/99999999']);
  const any = (): unknown => pick([num, str, () => null, () => undefined, () => ({}), () => [num()], () => true])();
  const value = (good: () => unknown) => (rnd() < 0.7 ? good() : any());
  const consoleCommand = () => pick(['goto 0', `goto ${Math.floor(rnd() * 2_000_000)}`, 'goto 999999999999999', 'last write 0x7e00 2', 'last change bx', 'record budget 64', 'record budget -1', 'info mode', 'info gdt', 'x/16b 0x7e00', 'help', 'bx + 1']);
  const requests: [string, () => unknown][] = [
    ['threads', () => ({})],
    ['stackTrace', () => ({ threadId: 1, startFrame: value(num), levels: value(num) })],
    ['scopes', () => ({ frameId: value(num) })],
    ['variables', () => ({ variablesReference: value(() => pick([1, 2, 3, 4, 5, 10, 100])) })],
    ['setVariable', () => ({ variablesReference: value(() => 1), name: value(() => pick(['ebx', 'eax', 'cs', 'nope'])), value: value(str) })],
    ['evaluate', () => ({ expression: value(rnd() < 0.5 ? consoleCommand : str), context: pick(['repl', 'watch', 'hover', undefined]) })],
    ['readMemory', () => ({ memoryReference: value(() => pick(['0x7c00', '0x0', '0xfffff000', 'zz'])), offset: value(num), count: value(num) })],
    ['writeMemory', () => ({ memoryReference: value(() => '0x7e00'), data: value(() => pick(['AAA=', 'NBI=', '!!', ''])) })],
    ['disassemble', () => ({ memoryReference: value(() => '0x7c00'), instructionOffset: value(num), instructionCount: value(num), offset: value(num) })],
    ['setInstructionBreakpoints', () => ({ breakpoints: value(() => [{ instructionReference: value(() => pick(['0x7c10', '0000:7C20', 'zz'])), condition: value(str) }]) })],
    ['setFunctionBreakpoints', () => ({ breakpoints: value(() => [{ name: value(str) }]) })],
    ['setBreakpoints', () => ({ source: value(() => ({ path: fx.source })), breakpoints: value(() => [{ line: value(num) }]) })],
    ['dataBreakpointInfo', () => ({ name: value(str), asAddress: value(() => rnd() < 0.5), bytes: value(num) })],
    ['setDataBreakpoints', () => ({ breakpoints: value(() => [{ dataId: value(str), accessType: value(() => pick(['read', 'write', 'readWrite', 'sideways'])) }]) })],
    ['setExceptionBreakpoints', () => ({ filters: value(() => [pick(['all', 'int', 'io', 'nope'])]) })],
    ['continue', () => ({ threadId: 1 })],
    ['pause', () => ({ threadId: 1 })],
    ['next', () => ({ threadId: 1 })],
    ['stepIn', () => ({ threadId: 1, granularity: value(() => 'instruction') })],
    ['stepOut', () => ({ threadId: 1 })],
    ['stepBack', () => ({ threadId: 1, granularity: value(() => pick(['instruction', 'line'])) })],
    ['reverseContinue', () => ({ threadId: 1 })],
    ['goto', () => ({ threadId: 1, targetId: value(num) })],
    ['completions', () => ({ text: value(str), column: value(num) })],
    ['bootscope/status', () => ({})],
    ['bootscope/readScreen', () => ({})],
    ['bootscope/readTimeline', () => ({ profile: value(() => pick(['raw', 'xen-vm86', 'nope'])), from: value(num), to: value(num) })],
    ['bootscope/typeKeys', () => ({ text: value(str) })],
    ['bootscope/gotoInstruction', () => ({ instruction: value(num) })],
    ['bootscope/readVmcs', () => ({ profile: value(() => 'raw') })],
    ['bootscope/checkVmEntry', () => ({ profile: value(() => 'kvm-rmode') })],
    ['bootscope/readFault', () => ({})],
    ['bootscope/findFaultWrite', () => ({ link: value(num), subject: value(num) })],
    ['bootscope/readCompare', () => ({})],
    ['bootscope/compareAgain', () => ({})],
    ['bootscope/nope', () => ({})],
  ];
  const c = DapClient.spawn();
  const pid = c.process!.pid!;
  try {
    await c.launch({ image: fx.image, listing: fx.listing });
    const t0 = Date.now();
    let n = 0;
    while (Date.now() - t0 < RUN_MS) {
      const [command, args] = pick(requests);
      const a = args();
      const pending = c.dc.respond(command, a);
      // A request that runs (continue, a goto, a scan) is paused now and then, as a user does.
      const r = await Promise.race([
        pending,
        new Promise<null>((res) => setTimeout(() => res(null), ANSWER_MS / 3)).then(async () => { await c.dc.respond('pause', { threadId: 1 }); return Promise.race([pending, new Promise<null>((res) => setTimeout(() => res(null), ANSWER_MS))]); }),
      ]);
      assert.ok(r, `request ${n} '${command}' ${JSON.stringify(a)?.slice(0, 200)} was not answered (seed ${SEED})`);
      assert.doesNotMatch(r.message ?? '', JS_ERROR, `request ${n} '${command}' ${JSON.stringify(a)?.slice(0, 200)} (seed ${SEED})`);
      if (rnd() < 0.1) await c.dc.respond('pause', { threadId: 1 });
      n++;
    }
    assert.equal(c.process!.exitCode, null, 'the adapter is alive');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    assert.ok(rss < MAX_RSS_MB, `RSS ${rss.toFixed(0)} MiB`);
    const t = await c.request('threads');
    assert.equal(t.threads.length, 1);
    return { requests: n, rssMiB: rss };
  } finally {
    await c.close();
  }
}
