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
 * Instructions one request replays (about a second): a longer recording is built over several requests, the panel
 * showing how far it got, so the adapter answers other requests in between and the user can resume at any time.
 */
const INSTRUCTIONS_PER_REQUEST = 20_000_000;

interface Builders {
  system: TimelineBuilder;
  hits: TimelineBuilder;
  hitsKey: string;
}
const builders = new WeakMap<SessionContext, Builders>();

export function timeline(ctx: SessionContext, args: TimelineArguments): TimelineResponse {
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
  if (stale(system) || stale(hits)) {
    const here = cpu.icount;
    ctx.monitor.quietly(() => {
      try {
        (stale(system) ? system : hits).update(rec, INSTRUCTIONS_PER_REQUEST);
      } finally {
        rec.seek(here);
      }
    });
  }
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
