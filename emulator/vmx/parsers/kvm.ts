// Recognises KVM's dump_vmcs output (arch/x86/kvm/vmx/vmx.c, printed on a failed VM entry when
// kvm_intel.dump_invalid_vmcs=1), with or without 'kvm_intel: ' prefixes, older and newer kernels.
// Fields are the SDM Vol. 3 §24.4-24.8 VMCS fields. Pure TypeScript: no Node or VS Code imports.
import type { FailureLine } from './xen';

const MARKERS = [
  /kvm_intel:/,
  /\bkvm:/,
  /last attempted VM-entry on CPU/,
  /\bPDPTR[0-3]\s*=/,
  /\(effective\)/,
  /dump_invalid_vmcs/,
  /(?<![A-Za-z])(?:CS|TR):\s{2,}sel=/,
  /\bPinBased=0x/,
  /hardware error 0x/i,
];

export function kvmScore(text: string): number {
  return MARKERS.filter((re) => re.test(text)).length;
}

export function kvmFormat(text: string): string {
  return /last attempted VM-entry on CPU|\(effective\)/.test(text) ? 'KVM dump_vmcs (Linux 5.13+)' : 'KVM dump_vmcs';
}

/** QEMU's "KVM: entry failed, hardware error 0x80000021", or the exit reason in a kernel message. */
export function kvmFailure(text: string): FailureLine | undefined {
  const m = /(?:entry failed, )?hardware error (0x[0-9a-f]+)/i.exec(text) ?? /exit reason (0x8[0-9a-f]{7})/i.exec(text);
  return m ? { exitReason: parseInt(m[1], 16), text: m[0] } : undefined;
}
