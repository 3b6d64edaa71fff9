// VM-entry control checks on event injection (SDM Vol. 3 §26.2.1.3; §22.2.1.3 in 2009 editions). A failure here
// is VMfailValid with VM-instruction error 7, not a VM exit. Only checks on a valid interruption-information field.
// Pure TypeScript: no Node or VS Code imports.
import type { EntryCheck } from './checkTypes';
import { hex } from './guestState';
import { need, type View } from './view';

const NOT_VALID = (v: View) => (v.injection.valid ? undefined : 'no event injected (valid bit 31 = 0)');
/** Vectors whose hardware exceptions push an error code: #DF #TS #NP #SS #GP #PF #AC, and #CP (CET editions). */
const ERROR_CODE_VECTORS = [8, 10, 11, 12, 13, 14, 17, 21];

/** §26.2.1.3: deliver-error-code must be 1 exactly when (UG=0 or CR0.PE=1) and a hardware exception with an error code. */
function needsErrorCode(v: View): boolean {
  const i = v.injection;
  return (!v.ug || v.pe) && i.type === 3 && ERROR_CODE_VECTORS.includes(i.vector);
}

export const INJECTION_CHECKS: EntryCheck[] = [
  {
    id: 'INJ.TYPE', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'interruption type is not 1 (reserved)', skip: NOT_VALID,
    ok: (v) => v.injection.type !== 1,
    explain: (v) => `VM-entry interruption information is ${hex(v.injection.raw)} with type 1, which is reserved`,
  },
  {
    id: 'INJ.VEC_NMI', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'an injected NMI has vector 2',
    skip: (v) => NOT_VALID(v) ?? (v.injection.type === 2 ? undefined : 'not an NMI'),
    ok: (v) => v.injection.vector === 2,
    explain: (v) => `an NMI is injected with vector ${v.injection.vector} (interruption information ${hex(v.injection.raw)}); it must be 2`,
  },
  {
    id: 'INJ.VEC_HWEXC', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'an injected hardware exception has vector <= 31',
    skip: (v) => NOT_VALID(v) ?? (v.injection.type === 3 ? undefined : 'not a hardware exception'),
    ok: (v) => v.injection.vector <= 31,
    explain: (v) => `a hardware exception is injected with vector ${v.injection.vector}; exception vectors are 0-31`,
  },
  {
    id: 'INJ.VEC_OTHER', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'an injected "other event" has vector 0 (MTF)',
    skip: (v) => NOT_VALID(v) ?? (v.injection.type === 7 ? undefined : 'not type 7'),
    ok: (v) => v.injection.vector === 0,
    explain: (v) => `an "other event" (type 7) is injected with vector ${v.injection.vector}; only 0 (pending MTF) exists`,
  },
  {
    id: 'INJ.ERRBIT', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_INTR_INFO_FIELD', 'GUEST_CR0', 'SECONDARY_VM_EXEC_CONTROL'],
    rule: 'deliver-error-code (bit 11) is 1 iff a protected-mode hardware exception with an error code is injected',
    skip: NOT_VALID,
    ok: (v) => {
      const want = needsErrorCode(v);
      if (want) return v.injection.deliverErrorCode;
      return !v.injection.deliverErrorCode || v.caps.basicNoErrCodeCheck;
    },
    explain: (v) => {
      const i = v.injection;
      if (needsErrorCode(v)) return `hardware exception ${i.vector} is injected without an error code (bit 11 = 0) but vector ${i.vector} always pushes one`;
      const why = i.type !== 3 ? `the interruption type is ${i.type}, not a hardware exception`
        : !ERROR_CODE_VECTORS.includes(i.vector) ? `vector ${i.vector} has no error code`
          : 'the guest is in real mode (unrestricted guest with CR0.PE=0)';
      return `interruption information ${hex(i.raw)} sets deliver-error-code (bit 11) but ${why}`;
    },
  },
  {
    id: 'INJ.RSVD', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'interruption-information bits 30:12 are 0', skip: NOT_VALID,
    ok: (v) => (v.injection.raw & 0x7ffff000) === 0,
    explain: (v) => `VM-entry interruption information is ${hex(v.injection.raw)} but bits 30:12 must be 0`,
  },
  {
    // SDM (2009 and Vol. 3C) reserve bits 31:15; Bochs and KVM test 31:16. We follow the SDM.
    id: 'INJ.ERRCODE', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_EXCEPTION_ERROR_CODE', 'VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'with deliver-error-code, error-code bits 31:15 are 0',
    skip: (v) => NOT_VALID(v) ?? (v.injection.deliverErrorCode ? undefined : 'no error code delivered'),
    ok: (v) => need(v.c.entryErrorCode, 'VM_ENTRY_EXCEPTION_ERROR_CODE') >>> 15 === 0,
    explain: (v) => `the VM-entry exception error code is ${hex(v.c.entryErrorCode!)} but bits 31:15 must be 0 (SDM; Bochs and KVM only test 31:16)`,
  },
  {
    id: 'INJ.ILEN', section: '26.2.1.3', kind: 'control', fields: ['VM_ENTRY_INSTRUCTION_LEN', 'VM_ENTRY_INTR_INFO_FIELD'],
    rule: 'software interrupts and exceptions (types 4-6) have an instruction length of 1-15',
    skip: (v) => NOT_VALID(v) ?? ([4, 5, 6].includes(v.injection.type) ? undefined : 'not a software event'),
    ok: (v) => {
      const n = need(v.c.entryInstrLen, 'VM_ENTRY_INSTRUCTION_LEN');
      return (n >= 1 || (n === 0 && v.caps.zeroLengthInjection)) && n <= 15;
    },
    explain: (v) => `a type-${v.injection.type} event is injected with instruction length ${v.c.entryInstrLen}; it must be 1-15${v.caps.zeroLengthInjection ? ' (or 0)' : ''}`,
  },
];
