// Renders the "Timeline" panel body: the recorded run as strips over the instruction count (CPU mode, VM-entry
// verdict under the profile, BIOS calls, exceptions and interrupts, breakpoint hits) with the current position
// marked; a click travels there (bootscope/gotoInstruction). Pure: no 'vscode'; every value is escaped (html tag).
import type { TimelineResponse, TimelineSpan } from '../../../protocol/customRequests';
import { PROFILE_NAMES, type ProfileName } from '../../../protocol/customRequests';
import { type Html, html, joinHtml, msgAttr, profilePicker, STRIP_CLASSES } from '../html';

function pct(at: number, t: TimelineResponse): number {
  const span = Math.max(1, t.last - t.first);
  return Math.min(100, Math.max(0, ((at - t.first) / span) * 100));
}

/** The current-position line, when it lies in the drawn window (placed by the page script from data-left). */
function marker(t: TimelineResponse): Html | '' {
  return t.current >= t.first && t.current <= t.last ? html`<div class="marker" data-left="${pct(t.current, t).toFixed(3)}"></div>` : '';
}

function strip(label: string, spans: TimelineSpan<string>[], t: TimelineResponse): Html {
  const parts = spans.map((s) => {
    const left = pct(s.from, t), width = Math.max(0.2, pct(s.to, t) - left);
    return html`<span class="${STRIP_CLASSES[s.value] ?? ''}" data-left="${left.toFixed(3)}" data-width="${width.toFixed(3)}" title="${`${s.value}: instructions ${s.from}–${s.to}`}">${s.value}</span>`;
  });
  return html`<tr><td>${label}</td><td class="full"><div class="strip" data-travel-first="${t.first}" data-travel-last="${t.last}">${parts}${marker(t)}</div></td></tr>`;
}

export function renderTimeline(t: TimelineResponse, profile: ProfileName): Html {
  const kinds: [string, string][] = [['bios', 'BIOS calls'], ['exception', 'Exceptions'], ['interrupt', 'Interrupts'], ['breakpoint', 'Breakpoint hits']];
  const eventRows = kinds.map(([k, label]) => {
    const ev = t.events.filter((e) => e.kind === k);
    const total = ev.reduce((n, e) => n + (e.count ?? 1), 0);
    const ticks = ev.map((e) => html`<span class="tick" ${msgAttr({ type: 'travel', instruction: e.at })} data-left="${pct(e.at, t).toFixed(3)}" title="${`#${e.at}: ${e.label}${(e.count ?? 1) > 1 ? ` (and ${(e.count ?? 1) - 1} more nearby)` : ''}`}"></span>`);
    const capped = k === 'breakpoint' && t.breakpointHitsCapped ? `first ${total}` : `${total}`;
    return html`<tr><td>${label} (${capped})</td><td><div class="strip" data-travel-first="${t.first}" data-travel-last="${t.last}">${ticks}${marker(t)}</div></td></tr>`;
  });
  const zoomed = t.first > t.recordedFirst || t.last < t.recordedLast;
  const off = zoomed ? '' : html` disabled`;
  const zoom = [
    html`<vscode-button ${msgAttr({ type: 'zoom', zoom: 'in' })} title="Ten times narrower, around the current position">Zoom in</vscode-button>`,
    html`<vscode-button ${msgAttr({ type: 'zoom', zoom: 'out' })}${off}>Zoom out</vscode-button>`,
    html`<vscode-button ${msgAttr({ type: 'zoom', zoom: 'all' })}${off}>Whole run</vscode-button>`,
  ];
  const building = t.building ? html` <span class="note" id="building">building the timeline: ${Math.floor((100 * t.building.done) / Math.max(1, t.building.total))}% of the recording replayed…</span>` : '';
  const range = zoomed ? `instructions ${t.first}–${t.last} of ${t.recordedFirst}–${t.recordedLast}` : `instructions ${t.first}–${t.last}`;
  return html`<p>${profilePicker(profile, PROFILE_NAMES)} ${joinHtml(zoom, ' ')} <span class="note" id="range">${range}, now at <b id="current">${t.current}</b>. Click a strip to travel there; hover for what happened.</span>${building}</p>
<table class="full"><tbody>${strip('CPU mode', t.modes, t)}${strip(`VM entry (${profile})`, t.verdicts, t)}${eventRows}</tbody></table>`;
}

/** What zooming needs from the last answer. */
export type TimelineRanges = Pick<TimelineResponse, 'current' | 'first' | 'last' | 'recordedFirst' | 'recordedLast'>;

/**
 * The Timeline's next window: ten times narrower around the current position, ten times wider around the window's
 * middle, or the whole recording (null). Never narrower than 20 instructions.
 */
export function zoomWindow(zoom: 'in' | 'out' | 'all', last: TimelineRanges | undefined): { from: number; to: number } | null {
  if (zoom === 'all' || !last) return null;
  const full = last.recordedLast - last.recordedFirst;
  const width = zoom === 'in' ? Math.max(20, Math.round((last.last - last.first) / 10)) : (last.last - last.first) * 10;
  if (width >= full) return null;
  const centre = zoom === 'in' ? last.current : Math.round((last.first + last.last) / 2);
  const from = Math.min(Math.max(last.recordedFirst, centre - Math.round(width / 2)), last.recordedLast - width);
  return { from, to: from + width };
}
