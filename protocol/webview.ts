// The panels' side of the extension that is not a DAP request: messages a webview posts to the extension, and
// `bootscope vmcheck --json` as the dump commands read it. Types only: no runtime dependencies, no 'vscode'.
import type { CheckRow, RootCause, SegmentCache } from './customRequests';
import type { ProfileName } from './launchConfig';

// ---- `bootscope vmcheck --json` (CLI.md), as the dump commands read it -----------------------------------
export interface VmcheckJson {
  source: 'xen' | 'kvm';
  format?: string;
  /** Which dump of the text (1-based), how many it has, and its lines there. */
  dump?: { index: number; count: number; firstLine: number; lastLine: number };
  profile: ProfileName;
  verdict: 'pass' | 'fail';
  checks: CheckRow[];
  rootCauses?: RootCause[];
  hints?: string[];
  warnings?: string[];
  guest: Record<string, SegmentCache | { base: number; limit: number } | number | undefined>;
}
/** `bootscope vmcheck --json` on a text with several dumps (without --dump). */
export interface VmcheckDumpsJson {
  dumps: VmcheckJson[];
}

// ---- webview ⇄ extension messages ---------------------------------------------------------------------------
/** Messages a panel's webview posts to the extension. */
export type FromWebview =
  | { type: 'setProfile'; profile: ProfileName }
  | { type: 'openMemory'; address: number }
  | { type: 'disassemble'; selector: number; offset: number }
  | { type: 'findFailureStart'; checkId: string }
  | { type: 'findFaultWrite'; link: number; subject: number }
  | { type: 'showDescriptorTables' }
  | { type: 'travel'; instruction: number }
  | { type: 'zoom'; zoom: 'in' | 'out' | 'all' }
  | { type: 'keys'; text: string }
  | { type: 'showDumpAsVmcs' }
  | { type: 'compareAgain' }
  | { type: 'refresh' };
