// Recognises Xen's VMCS dump (vmcs_dump_vcpu, printed on a failed VM entry by vmx_failed_vmentry or by the 'v'
// debug key): the 3.4-4.5 "CS: sel=0x..., attr=0x..." lines and the 4.6+ column table ("  CS: 0008 0c09b ...").
// Fields are the SDM Vol. 3 §24.4-24.8 VMCS fields. Pure TypeScript: no Node or VS Code imports.

/** Evidence that a text is Xen output; each marker counts once. */
const MARKERS = [
  /\(XEN\)/,
  /VMCS Area/,
  /Guest PAT\s*=/,
  /\bvmentry failure \(reason/i,
  /Failed vm entry/i,
  /EFER\((?:VMCS|MSR LL)\)/,
  /\bsel\s+attr\s+limit\s+base\b/,
  /\bRSP\s*=\s*0x[0-9a-f]+\s*\(0x/i,
  /\bCR3:\s*actual=/,
  /\bd\d+v\d+\b/,
];

export function xenScore(text: string): number {
  return MARKERS.filter((re) => re.test(text)).length;
}

/** Which era printed the dump: the column table replaced the sel=/attr= lines in Xen 4.6 (commit 4353035b71). */
export function xenFormat(guest: string): string {
  return /(?<![A-Za-z])(?:CS|DS|SS):\s*sel\s*=/.test(guest) ? 'Xen 3.4-4.5 (sel=/attr= lines)' : 'Xen 4.6+ (column table)';
}

export interface FailureLine {
  exitReason: number;
  /** The number in parentheses after the message (the exit qualification). */
  qualification?: number;
  text: string;
}

export function xenFailure(text: string): FailureLine | undefined {
  const m = /Failed vm entry \(exit reason (0x[0-9a-f]+)\)\s*(caused by [^(]*?)\s*\((\d+)\)/i.exec(text)
    ?? /vmentry failure \(reason (0x[0-9a-f]+)\):\s*([^(]*?)\s*\((\d+)\)/i.exec(text);
  if (!m) return undefined;
  return { exitReason: parseInt(m[1], 16), qualification: parseInt(m[3], 10), text: m[0] };
}
