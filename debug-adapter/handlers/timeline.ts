// bootscope/readTimeline: the recorded run as strips for the Timeline panel (emulator/debug/timeline.ts builds it by
// one replay of the recording). The result is kept per session until the recording, the profile or the breakpoints
// change, so a panel refresh at every stop does not replay again. Node only; must not import vscode.

import { bucketEvents, buildTimeline, type Timeline } from '../../emulator/debug/timeline';
import { isProfileName, type ProfileName } from '../../emulator/vmx/profiles';
import type { TimelineArguments, TimelineResponse } from '../../protocol/panels';
import { RequestError, type SessionContext } from '../context';

/** Events per kind the panel draws: about one per pixel of a wide strip. */
const EVENT_BUCKETS = 600;

const cache = new WeakMap<SessionContext, { key: string; timeline: Timeline }>();

export function timeline(ctx: SessionContext, args: TimelineArguments): TimelineResponse {
  const rec = ctx.recorder;
  if (!rec) throw new RequestError('this session does not record (launch with "record": true for a timeline)');
  if (ctx.runner.isRunning) throw new RequestError('pause first: the timeline is read from a stopped CPU');
  const profile: ProfileName = args?.profile ?? 'raw';
  if (!isProfileName(profile)) throw new RequestError(`unknown profile '${String(profile)}': use raw, unrestricted, xen-vm86 or kvm-rmode`);
  const cpu = ctx.machine.cpu;
  const breakpoints = ctx.bps.all().map((b) => b.linear).sort((a, b) => a - b);
  const key = [profile, rec.startIcount, rec.frontier, rec.snapshotCount, rec.inputLog.length, breakpoints.join(',')].join('|');
  let t = cache.get(ctx)?.key === key ? cache.get(ctx)!.timeline : null;
  if (!t) {
    const here = cpu.icount;
    t = ctx.monitor.quietly(() => {
      try {
        return buildTimeline(rec, profile, breakpoints);
      } finally {
        rec.seek(here);
      }
    });
    cache.set(ctx, { key, timeline: t });
  }
  return { first: t.first, last: t.last, current: cpu.icount, modes: t.modes, verdicts: t.verdicts, events: bucketEvents(t, EVENT_BUCKETS) };
}
