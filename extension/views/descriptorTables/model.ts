// Tidies the adapter's bootscope/readDescriptorTables answer for the Descriptor Tables panel: what would only be
// noise is folded into notes (SDM Vol. 3 §9.1.1 reset GDTR, §3.5.1 all-zero entries). Pure: no 'vscode', no Node.
import type { DescriptorEntry, DescriptorTablesResponse } from '../../../protocol/customRequests';

/** Hides what would only be noise: the reset GDTR's 8192 slots and the LDT in real mode (SDM Vol. 3 §9.1.1), and
 *  all-zero entries (folded into a note). */
export function foldTables(view: DescriptorTablesResponse): DescriptorTablesResponse {
  for (const t of view.tables) {
    if (t.name === 'idt' && (view.mode === 'real' || view.mode === 'unreal')) t.name = 'ivt';
    if (t.name !== 'gdt' && t.name !== 'ldt') continue;
    if (view.mode === 'real' && t.name === 'gdt' && t.base === 0 && t.limit === 0xffff) {
      t.note = `real mode: the GDT is not in use (GDTR holds its reset value; ${t.entries.length} slots over the IVT and BDA not shown)`;
      t.entries = [];
      continue;
    }
    if (view.mode === 'real' && t.name === 'ldt') {
      t.note = 'real mode: the LDT is not in use';
      t.entries = [];
      continue;
    }
    const isEmpty = (e: DescriptorEntry) => e.index !== 0 && e.raw.length === 2 && e.raw[0] === 0 && e.raw[1] === 0;
    const empty = t.entries.filter(isEmpty).length;
    if (empty > 0) {
      t.entries = t.entries.filter((e) => !isEmpty(e));
      t.note = `${empty} empty (all-zero) entr${empty === 1 ? 'y' : 'ies'} not shown`;
    }
  }
  return view;
}
