// Does this build's CPU do protected-mode far transfers yet? (The protected-mode work lives on the
// `pm` branch until it is merged.) A tiny boot sector enters 32-bit protected mode with a far JMP
// and prints 'P' to port E9h; real-loader tests that go past their first protected-mode
// instruction are skipped with this reason when it does not.
import { runProgram } from '../bios/harness';

let cached: string | null | undefined;

/** null when protected mode works, else the skip reason. */
export function protectedModeMissing(): string | null {
  if (cached !== undefined) return cached;
  const r = runProgram(`
  cli
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp dword 0x08:pm
bits 32
pm:
  mov al, 'P'
  out 0xe9, al
  cli
  hlt
bits 16
align 8
gdt: dq 0
  dq 0x00cf9a000000ffff
gdtr: dw 15
  dd gdt`, { max: 1000 });
  cached = r.out === 'P' ? null
    : `the CPU on this branch has no protected-mode far JMP yet (stop: ${r.stop.reason}); it comes with the protected-mode work (branch pm: far transfers, IDT, task switch, paging)`;
  return cached;
}
