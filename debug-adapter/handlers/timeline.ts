// bootscope/readTimeline: the recorded run as strips for the Timeline panel (emulator/debug/timeline.ts). Each session
// keeps its builders: a refresh replays only what was recorded since the last one, a profile change replays nothing
// (every profile's verdict is kept), and a breakpoint change replays only for the breakpoint hits. A zoomed panel asks
// for a window; events are thinned within it.
// Node only; must not import vscode.

import { bucketEvents, TimelineBuilder, timelineOf, windowOf } from '../../emulator/debug/timeline';
import { isProfileName, type ProfileName } from '../../emulator/vmx/profiles';
import type { TimelineArguments, TimelineResponse } from '../../protocol/customRequests';
import { RequestError, type SessionContext } from '../context';

/** Events per kind the panel draws: about one per pixel of a wide strip. */
const EVENT_BUCKETS = 600;
/**
 * Wall time one request spends replaying before it answers with what it has (`building`; the panel asks again), in
 * chunks sized to take about STEP_MS each. It can stop early only once the replay has passed the user's position: going back
 * there restores a snapshot, while going forward would replay again all the way. Until then it runs as the runner's
 * task, yielding between chunks (threads and disconnect answered, pause cancels it).
 */
const REPLAY_MS_PER_REQUEST = 200;
const STEP_MS = 20;
const MIN_CHUNK = 100;
const MAX_CHUNK = 2_000_000;

interface Builders {
  system: TimelineBuilder;
  hits: TimelineBuilder;
  hitsKey: string;
}
const builders = new WeakMap<SessionContext, Builders>();

export function timeline(ctx: SessionContext, args: TimelineArguments): TimelineResponse | Promise<TimelineResponse> {
  const rec = ctx.recorder;
  if (!rec) throw new RequestError('this session does not record (launch with "record": true for a timeline)');
  if (ctx.runner.isRunning) throw new RequestError('pause first: the timeline is read from a stopped CPU');
  const profile: ProfileName = args?.profile ?? 'raw';
  if (!isProfileName(profile)) throw new RequestError(`unknown profile '${String(profile)}': use raw, unrestricted, xen-vm86 or kvm-rmode`);
  const cpu = ctx.machine.cpu;
  const all = ctx.bps.all();
  const breakpoints = [...new Set(all.filter((x) => !x.exact && x.phys === undefined).map((x) => x.linear))].sort((x, y) => x - y);
  const more = { csip: all.flatMap((x) => (x.exact ? [x.exact] : [])), phys: all.flatMap((x) => (x.phys !== undefined ? [x.phys] : [])) };
  const hitsKey = `${breakpoints.join(',')}/${more.csip.map((x) => `${x.selector}:${x.offset}`).sort().join(',')}/${more.phys.sort().join(',')}`;
  let b = builders.get(ctx);
  if (!b) builders.set(ctx, (b = { system: new TimelineBuilder(), hits: new TimelineBuilder(breakpoints, more), hitsKey }));
  if (b.hitsKey !== hitsKey) Object.assign(b, { hits: new TimelineBuilder(breakpoints, more), hitsKey });
  const { system, hits } = b;
  const stale = (x: TimelineBuilder) => x.to !== rec.frontier || x.first !== rec.startIcount;
  const building = () => stale(system) || stale(hits);
  if (!building()) return response(ctx, system, hits, args, profile);
  const here = cpu.icount;
  let chunk = MIN_CHUNK;
  const step = () => {
    const t0 = performance.now(), from = cpu.icount;
    ctx.monitor.quietly(() => (stale(system) ? system : hits).update(rec, chunk));
    // Replays that look at the state often (an interrupt every few instructions) run far slower than others.
    const ms = performance.now() - t0;
    if (cpu.icount > from) chunk = Math.round(Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, chunk * Math.min(4, STEP_MS / Math.max(ms, 0.1)))));
  };
  const deadline = performance.now() + REPLAY_MS_PER_REQUEST;
  let ok = false;
  try {
    do step();
    while (building() && performance.now() < deadline);
    ok = true;
  } finally {
    if (!ok || cpu.icount >= here) ctx.monitor.quietly(() => rec.seek(here));
  }
  if (cpu.icount === here) return response(ctx, system, hits, args, profile);
  return new Promise((settle, fail) => {
    ctx.runner.travel(async (cancelled) => {
      let cancel = false;
      try {
        while (building() && cpu.icount < here) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if ((cancel = cancelled())) break;
          step();
        }
      } catch (e) {
        fail(e);
      } finally {
        ctx.monitor.quietly(() => rec.seek(here));
      }
      if (cancel) fail(new RequestError('timeline: cancelled (pause) before it was built; reopen the panel to go on'));
      else settle(response(ctx, system, hits, args, profile));
      return { reason: 'pause', description: `the timeline has been built to instruction ${Math.min(system.to, hits.to)} (instruction ${here})` };
    });
  });
}

function response(ctx: SessionContext, system: TimelineBuilder, hits: TimelineBuilder, args: TimelineArguments, profile: ProfileName): TimelineResponse {
  const rec = ctx.recorder!;
  const cpu = ctx.machine.cpu;
  const total = 2 * (rec.frontier - rec.startIcount);
  const done = Math.max(0, system.to - rec.startIcount) + Math.max(0, hits.to - rec.startIcount);
  const building = done < total ? { done, total } : undefined;
  const whole = timelineOf(system, hits, profile);
  const zoomed = Number.isFinite(args?.from) && Number.isFinite(args?.to);
  const t = zoomed ? windowOf(whole, args.from!, args.to!) : whole;
  return {
    first: t.first, last: t.last, recordedFirst: whole.first, recordedLast: whole.last, current: cpu.icount,
    modes: t.modes, verdicts: t.verdicts, events: bucketEvents(t, EVENT_BUCKETS), breakpointHitsCapped: t.hitsCapped,
    ...(building ? { building } : {}),
  };
}
