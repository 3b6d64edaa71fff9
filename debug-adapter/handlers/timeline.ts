// bootscope/readTimeline: the recorded run as strips for the Timeline panel (emulator/debug/timeline.ts). Each session
// keeps its builders: a refresh replays only what was recorded since the last one, a profile change replays nothing
// (every profile's verdict is kept), and a breakpoint change replays only for the breakpoint hits. A zoomed panel asks
// for a window; events are thinned within it.
// Node only; must not import vscode.

import { bucketEvents, TimelineBuilder, timelineOf, windowOf } from '../../emulator/debug/timeline';
import type { ProfileName } from '../../emulator/vmx/profiles';
import { profileOf } from './panels';
import type { TimelineArguments, TimelineResponse } from '../../protocol/customRequests';
import type { Bookmark } from '../../emulator/record/recorder';
import { RequestError, type SessionContext } from '../context';

/** Events per kind the panel draws: about one per pixel of a wide strip. */
const EVENT_BUCKETS = 600;
/**
 * Wall time one request spends replaying, in chunks sized to take about STEP_MS each: a longer recording is built over
 * several requests (the panel shows how far it got and asks again), so the adapter answers other requests in between and
 * the user can resume at any time. A request starts where the last one stopped and comes back to the user's position,
 * both through bookmarks (Recorder.bookmark: a copy of the machine), not by replaying.
 */
const REPLAY_MS_PER_REQUEST = 200;
const STEP_MS = 20;
const MIN_CHUNK = 100;
const MAX_CHUNK = 2_000_000;

interface Builders {
  system: TimelineBuilder;
  hits: TimelineBuilder;
  hitsKey: string;
  /** Where the replay stopped when the last request answered (while the timeline is still being built). */
  resume?: Bookmark;
  /** Instructions per step that took about STEP_MS last time. */
  chunk: number;
  /** The bookmark of the user's position, kept for its RAM buffer while the timeline is being built. */
  here?: Bookmark;
}
const builders = new WeakMap<SessionContext, Builders>();

export function timeline(ctx: SessionContext, args: TimelineArguments): TimelineResponse {
  const rec = ctx.recorder;
  if (!rec) throw new RequestError('this session does not record (launch with "record": true for a timeline)');
  if (ctx.runner.isRunning) throw new RequestError('pause first: the timeline is read from a stopped CPU');
  const profile = profileOf(args?.profile);
  const cpu = ctx.machine.cpu;
  const all = ctx.bps.all();
  const breakpoints = [...new Set(all.filter((x) => !x.exact && x.phys === undefined).map((x) => x.linear))].sort((x, y) => x - y);
  const more = { csip: all.flatMap((x) => (x.exact ? [x.exact] : [])), phys: all.flatMap((x) => (x.phys !== undefined ? [x.phys] : [])) };
  const hitsKey = `${breakpoints.join(',')}/${more.csip.map((x) => `${x.selector}:${x.offset}`).sort().join(',')}/${more.phys.sort().join(',')}`;
  let b = builders.get(ctx);
  if (!b) builders.set(ctx, (b = { system: new TimelineBuilder(), hits: new TimelineBuilder(breakpoints, more), hitsKey, chunk: MIN_CHUNK }));
  if (b.hitsKey !== hitsKey) Object.assign(b, { hits: new TimelineBuilder(breakpoints, more), hitsKey });
  const { system, hits } = b;
  const stale = (x: TimelineBuilder) => x.to !== rec.frontier || x.first !== rec.startIcount;
  const building = () => stale(system) || stale(hits);
  if (!building()) return response(ctx, system, hits, args, profile);
  const here = (b.here = rec.bookmark(b.here));
  const state = b;
  const deadline = performance.now() + REPLAY_MS_PER_REQUEST;
  ctx.monitor.quietly(() => {
    try {
      if (state.resume && rec.holds(state.resume)) rec.returnTo(state.resume);
      do {
        const t0 = performance.now(), from = cpu.icount;
        (stale(system) ? system : hits).update(rec, state.chunk);
        // Replays that look at the state often (an interrupt every few instructions) run far slower than others.
        const ms = performance.now() - t0;
        if (cpu.icount > from) state.chunk = Math.round(Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, state.chunk * Math.min(4, STEP_MS / Math.max(ms, 0.1)))));
      } while (building() && performance.now() < deadline);
    } finally {
      state.resume = building() ? rec.bookmark(state.resume) : undefined;
      rec.returnTo(here);
      // The copies are 64 MiB each by default: kept only while the timeline is still being built.
      if (!state.resume) state.here = undefined;
    }
  });
  return response(ctx, system, hits, args, profile);
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
