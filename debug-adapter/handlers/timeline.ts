// bootscope/readTimeline: the recorded run as strips for the Timeline panel (emulator/debug/timeline.ts). Each session
// keeps its builders: a refresh replays only what was recorded since the last one, a profile change replays nothing
// (every profile's verdict is kept), and a breakpoint change replays only for the breakpoint hits. A zoomed panel asks
// for a window; events are thinned within it.
// Node only; must not import vscode.

import { bucketEvents, TimelineBuilder, timelineOf, windowOf } from '../../emulator/debug/timeline';
import { isProfileName, type ProfileName } from '../../emulator/vmx/profiles';
import type { TimelineArguments, TimelineResponse } from '../../protocol/panels';
import { RequestError, type SessionContext } from '../context';

/** Events per kind the panel draws: about one per pixel of a wide strip. */
const EVENT_BUCKETS = 600;

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
  const breakpoints = [...new Set(ctx.bps.all().map((b) => b.linear))].sort((a, b) => a - b);
  const hitsKey = breakpoints.join(',');
  let b = builders.get(ctx);
  if (!b) builders.set(ctx, (b = { system: new TimelineBuilder(), hits: new TimelineBuilder(breakpoints), hitsKey }));
  if (b.hitsKey !== hitsKey) Object.assign(b, { hits: new TimelineBuilder(breakpoints), hitsKey });
  const { system, hits } = b;
  if (system.to !== rec.frontier || hits.to !== rec.frontier || system.first !== rec.startIcount) {
    const here = cpu.icount;
    ctx.monitor.quietly(() => {
      try {
        system.update(rec);
        hits.update(rec);
      } finally {
        rec.seek(here);
      }
    });
  }
  const whole = timelineOf(system, hits, profile);
  const zoomed = Number.isFinite(args?.from) && Number.isFinite(args?.to);
  const t = zoomed ? windowOf(whole, args.from!, args.to!) : whole;
  return {
    first: t.first, last: t.last, recordedFirst: whole.first, recordedLast: whole.last, current: cpu.icount,
    modes: t.modes, verdicts: t.verdicts, events: bucketEvents(t, EVENT_BUCKETS), breakpointHitsCapped: t.hitsCapped,
  };
}
