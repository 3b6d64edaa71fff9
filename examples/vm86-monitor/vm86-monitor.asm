; vm86-monitor — a 32-bit protected-mode monitor running real-mode code as a virtual-8086 task: the code pattern of
; pre-boot disk-encryption software, which keeps the CPU in protected mode and lets the original boot code run
; under its control. Entered first by a task switch (JMP to a TSS whose EFLAGS has VM set), then by IRET (a
; hand-built ring-0 frame with VM set). The task runs with IOPL 0, so CLI, STI, PUSHF, POPF, INT n and IRET raise
; #GP; the monitor emulates them with a virtual IF and reflects INT 10h/13h through the real-mode IVT to the BIOS.
; Progress goes to port 0xE9; the task prints through INT 10h. The task itself is vm86task.asm (segment 0900h).
bits 16
org 0x7c00

VM86_SEG    equ 0x0900               ; the task's CS = DS = ES: linear 0x9000, where vm86task.bin is placed
VM86_SS     equ 0x6000               ; its stack: 6000:FFFE
MON_STACK   equ 0x7000               ; monitor (ring 0) stack before the task switch
RING0_STACK equ 0x5000               ; ESP0 of the vm86 TSS: faults from vm86 land here
HYPERCALL   equ 0xf0
DEBUG_PORT  equ 0xe9
EFLAGS_VM   equ 0x00020000

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        mov [drive], dl
        ; The rest of the image (monitor, GDT/IDT/TSSs, the vm86 task) follows the boot sector on disk.
        mov si, dap
        mov ah, 0x42
        int 0x13
        jc $
        jmp rest

dap:    db 0x10, 0
        dw (image_end - rest) / 512
        dw rest, 0
        dq 1
drive:  db 0

        times 510 - ($ - $$) db 0
        dw 0xaa55

rest:
        mov si, msg_real
        call dbg16
        ; The BIOS hands over with A20 enabled; a monitor that cared would check (see the loader example).
        lgdt [gdt_desc]
        lidt [idt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm32

dbg16:  lodsb
        test al, al
        jz .done
        out DEBUG_PORT, al
        jmp dbg16
.done:  ret

bits 32
pm32:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, MON_STACK
        movzx eax, word [VM86_SEG * 16]       ; the task's header: first entry point
        mov [TSS_V86_EIP], eax
        mov ax, 0x18
        ltr ax                        ; the task switch saves the monitor's state into this TSS
        mov esi, msg_pm
        call dbg
        jmp 0x20:0                    ; #TASK_SWITCH  into the vm86 TSS: EFLAGS.VM=1 loads real-mode segments

; ---- #GP from the vm86 task: emulate the IOPL-sensitive instruction -------------------------------------------
; Stack after the CPU's push (vm86 → ring 0) and PUSHAD, EBP = ESP:
F_EAX   equ 28
F_ERR   equ 32
F_EIP   equ 36
F_CS    equ 40
F_EFL   equ 44
F_ESP   equ 48
F_SS    equ 52

gp_handler:
        pushad
        mov ax, 0x10                  ; DS..GS were nulled on the way out of vm86
        mov ds, ax
        mov es, ax
        mov ebp, esp
        test dword [ebp + F_EFL], EFLAGS_VM
        jz pm_fault
        movzx esi, word [ebp + F_CS]
        shl esi, 4
        movzx eax, word [ebp + F_EIP]
        add esi, eax                  ; ESI = linear CS:IP of the faulting instruction
        mov al, [esi]
        cmp al, 0xfa
        je .cli
        cmp al, 0xfb
        je .sti
        cmp al, 0x9c
        je .pushf
        cmp al, 0x9d
        je .popf
        cmp al, 0xcd
        je .int
        cmp al, 0xcf
        je .iret
        mov esi, msg_unknown
        jmp die

.cli:   mov byte [vif], 0
        inc dword [n_cli]
        jmp .skip1
.sti:   mov byte [vif], 1
        inc dword [n_sti]
        jmp .skip1
.pushf: call flags_image
        call push16
        inc dword [n_pushf]
        jmp .skip1
.popf:  call pop16
        call set_flags
        inc dword [n_popf]
.skip1: inc word [ebp + F_EIP]
        jmp .resume

.int:   movzx ebx, byte [esi + 1]
        cmp bl, HYPERCALL
        je hypercall
        ; Reflect through the real-mode IVT, as the CPU would in real mode: FLAGS (with the virtual IF), CS, IP.
        inc dword [n_int]
        call flags_image
        call push16
        mov ax, [ebp + F_CS]
        call push16
        mov ax, [ebp + F_EIP]
        add ax, 2
        call push16
        mov byte [vif], 0
        and dword [ebp + F_EFL], ~0x100      ; TF off, as INT does
        mov ax, [ebx * 4]
        mov [ebp + F_EIP], eax
        and dword [ebp + F_EIP], 0xffff
        mov ax, [ebx * 4 + 2]
        mov [ebp + F_CS], ax
        jmp .resume

.iret:  inc dword [n_iret]
        call pop16
        movzx eax, ax
        mov [ebp + F_EIP], eax
        call pop16
        mov [ebp + F_CS], ax
        call pop16
        call set_flags

.resume:
        popad
        add esp, 4                    ; the error code
        iretd                         ; back to vm86 (VM is set in the frame's EFLAGS)

; FLAGS as the task should see them: the real IF is always 0 in vm86 here, the task's IF is the virtual one.
flags_image:
        mov eax, [ebp + F_EFL]
        and ax, ~0x3200               ; IF and IOPL
        cmp byte [vif], 0
        je .out
        or ax, 0x200
.out:   ret

; AX = FLAGS popped by the task: arithmetic flags, DF and TF go to the frame, IF to the virtual IF.
set_flags:
        mov ecx, eax
        and ecx, 0x0dd5
        and dword [ebp + F_EFL], ~0x0dd5
        or [ebp + F_EFL], ecx
        test ax, 0x200
        setnz byte [vif]
        ret

; Push/pop AX on the task's stack (SS:SP from the frame; SP wraps at 64 KiB as in real mode).
push16: sub word [ebp + F_ESP], 2
        call stack_lin
        mov [edi], ax
        ret
pop16:  call stack_lin
        mov ax, [edi]
        add word [ebp + F_ESP], 2
        ret
stack_lin:
        movzx edi, word [ebp + F_SS]
        shl edi, 4
        movzx ecx, word [ebp + F_ESP]
        add edi, ecx
        ret

hypercall:
        cmp word [ebp + F_EAX], 1
        jne .finish
        ; First run over. Start the task again at its second entry by IRET, the way a monitor starts a fresh
        ; real-mode context: a ring-0 frame with EFLAGS.VM set (GS, FS, DS, ES, SS, ESP, EFLAGS, CS, EIP).
        mov esi, msg_iret
        call dbg
        mov byte [vif], 0
        mov esp, RING0_STACK
        movzx eax, word [VM86_SEG * 16 + 2]  ; the task's header: second entry point
        push dword VM86_SEG
        push dword VM86_SEG
        push dword VM86_SEG
        push dword VM86_SEG
        push dword VM86_SS
        push dword 0xfffe
        push dword EFLAGS_VM | 2      ; IOPL 0, IF 0
        push dword VM86_SEG
        push eax
        iretd                         ; #IRET_ENTRY
.finish:
        mov esi, msg_done
        call dbg
        ; One line of counters: what a monitor had to emulate for this much real-mode work.
        mov esi, n_cli
        mov ecx, 6
.count: lodsd
        call dbg_dec
        mov al, ' '
        out DEBUG_PORT, al
        loop .count
        mov al, 10
        out DEBUG_PORT, al
        cli
.park:  hlt
        jmp .park

pm_fault:
        mov esi, msg_pmfault
die:    call dbg
        cli
        hlt
        jmp die

other_fault:
        mov ax, 0x10
        mov ds, ax
        mov esi, msg_other
        jmp die

; Zero-terminated DS:ESI to the debug port.
dbg:    lodsb
        test al, al
        jz .done
        out DEBUG_PORT, al
        jmp dbg
.done:  ret

; EAX in decimal to the debug port.
dbg_dec:
        pushad
        mov ebx, 10
        xor ecx, ecx
.div:   xor edx, edx
        div ebx
        push edx
        inc ecx
        test eax, eax
        jnz .div
.put:   pop eax
        add al, '0'
        out DEBUG_PORT, al
        loop .put
        popad
        ret

; ---- tables ---------------------------------------------------------------------------------------------------
align 8
gdt:    dq 0
        dq 0x00cf9a000000ffff         ; 0x08 code, ring 0, 32-bit, flat
        dq 0x00cf92000000ffff         ; 0x10 data, ring 0, flat
        dw 0x67, tss_mon, 0x8900, 0   ; 0x18 monitor TSS (32-bit, available)
        dw 0x67, tss_v86, 0x8900, 0   ; 0x20 vm86 TSS
gdt_desc:
        dw gdt_desc - gdt - 1
        dd gdt

; 32 interrupt gates: #GP is the monitor; anything else is a bug report.
align 8
idt:
%assign v 0
%rep 32
%if v == 13
        dw gp_handler, 0x08, 0x8e00, 0
%else
        dw other_fault, 0x08, 0x8e00, 0
%endif
%assign v v + 1
%endrep
idt_desc:
        dw idt_desc - idt - 1
        dd idt

align 4
tss_mon: times 0x68 db 0              ; filled by the task switch

; The vm86 task as the task switch loads it: EFLAGS.VM = 1 makes the CPU load CS..GS as real-mode segments
; (base = selector << 4, limit 0xFFFF). IOPL 0 and no I/O bitmap (offset beyond the limit).
align 4
tss_v86:
        dd 0                          ; back link
        dd RING0_STACK, 0x10          ; ESP0, SS0: where #GP from vm86 lands
        dd 0, 0, 0, 0                 ; ESP1/SS1, ESP2/SS2
        dd 0                          ; CR3 (paging off)
        dd 0                          ; EIP: set from the task's header before the switch
        dd EFLAGS_VM | 2              ; EFLAGS
        dd 0, 0, 0, 0                 ; EAX, ECX, EDX, EBX
        dd 0xfffe, 0, 0, 0            ; ESP, EBP, ESI, EDI
        dd VM86_SEG, VM86_SEG, VM86_SS, VM86_SEG, VM86_SEG, VM86_SEG   ; ES, CS, SS, DS, FS, GS
        dd 0                          ; LDT
        dw 0, 0x68                    ; T flag, I/O map base (none)
TSS_V86_EIP equ tss_v86 + 32

vif:     db 0
align 4
n_cli:   dd 0
n_sti:   dd 0
n_pushf: dd 0
n_popf:  dd 0
n_int:   dd 0
n_iret:  dd 0

msg_real:    db 'monitor: real mode, image loaded', 10, 0
msg_pm:      db 'monitor: 32-bit protected mode, task switch to vm86', 10, 0
msg_iret:    db 'monitor: first run over, IRET into vm86', 10, 0
msg_done:    db 'monitor: done; emulated cli sti pushf popf int iret: ', 0
msg_unknown: db 'monitor: #GP on an instruction it does not emulate', 10, 0
msg_pmfault: db 'monitor: #GP in protected mode', 10, 0
msg_other:   db 'monitor: unexpected exception', 10, 0

        times (VM86_SEG * 16 - 0x7c00) - ($ - $$) db 0
vm86_task:
        incbin "vm86task.bin"
        align 512, db 0
image_end:
