// Intel 8042 keyboard controller at 0x60 (data) and 0x64 (status/command) with a PS/2 keyboard that
// types queued keystrokes (scancode set 1, as the 8042 delivers with translation on) and a minimal
// PS/2 mouse that only acknowledges. The output port drives the A20 gate and the CPU reset line.
// Pure TypeScript: no Node or VS Code imports. IBM PC/AT Technical Reference (8042 commands,
// keyboard commands), the 8042/AT "Keyboard Controller" command list (0x20–0xFF).

import type { IoBus } from './ioBus';
import type { Memory } from '../memory/bus';
import type { Clock, IrqSink, TimedDevice } from './clock';
import { textToKeystrokes, type Keystroke } from './keyboard';

export const KBC_STATUS_OBF = 0x01, KBC_STATUS_IBF = 0x02, KBC_STATUS_SYS = 0x04, KBC_STATUS_CMD = 0x08;
export const KBC_STATUS_UNLOCKED = 0x10, KBC_STATUS_AUX_OBF = 0x20, KBC_STATUS_TIMEOUT = 0x40;
/** Command byte bits. */
export const KBC_CMD_KBD_INT = 0x01, KBC_CMD_AUX_INT = 0x02, KBC_CMD_SYS = 0x04, KBC_CMD_KBD_DISABLE = 0x10;
export const KBC_CMD_AUX_DISABLE = 0x20, KBC_CMD_TRANSLATE = 0x40;

export interface KbcOptions {
  clock: Clock;
  irq: IrqSink;
  /** The output port's A20 bit calls memory.setA20. */
  memory: Memory;
  /**
   * The command byte at start; default 0x61 (translate, mouse port disabled, keyboard interrupt),
   * what SeaBIOS leaves for the boot sector under QEMU. QEMU's power-on value is 0x03.
   */
  commandByte?: number;
  /** Status bit 2, set by a passed self-test (0xAA); default true (the BIOS ran it). */
  systemFlag?: boolean;
  /** Instructions between two bytes from the keyboard (typing speed); default 20000. */
  keyByteInterval?: number;
  /**
   * Queued keys are typed through port 0x60 and IRQ1 (default true), for guests that read the
   * keyboard themselves and for a BIOS whose INT 09h fills the BDA buffer. With false they wait
   * for takeKeystroke() only: a BIOS whose INT 16h reads the queue directly.
   */
  hardwareTyping?: boolean;
}

interface OutByte {
  value: number;
  aux: boolean;
  /** The keystroke this byte belongs to (keyboard scancodes only). */
  key: Keystroke | null;
}

/** Controller commands that take a data byte through port 0x60. */
const WRITE_RAM = 0x60, WRITE_OUTPUT = 0xd1, WRITE_KBD_BUFFER = 0xd2, WRITE_AUX_BUFFER = 0xd3, WRITE_AUX = 0xd4;

export class Kbc implements TimedDevice {
  /** 8042 internal RAM; byte 0 is the command byte. */
  readonly ram = new Uint8Array(32);
  /** CPU reset requested: a pulse command (FEh) or output port bit 0 written as 0. The machine stops with `reset`. */
  onReset: ((how: 'pulse' | 'output-port') => void) | null = null;
  /** Keystrokes waiting to be typed (the keyboard has not sent any of their bytes yet). */
  readonly keys: Keystroke[] = [];
  /** The keystroke whose make code the guest read last from port 0x60 (for a BIOS INT 09h handler). */
  lastKeystroke: Keystroke | null = null;
  private readonly clock: Clock;
  private readonly irq: IrqSink;
  private readonly memory: Memory;
  private readonly keyByteInterval: number;
  /** See KbcOptions.hardwareTyping; may be changed at run time. */
  hardwareTyping: boolean;
  private output: OutByte | null = null;
  /** Replies from the controller, keyboard or mouse: delivered as soon as the buffer is free. */
  private readonly replies: OutByte[] = [];
  /** Remaining bytes of the keystroke being typed. */
  private typing: OutByte[] = [];
  /** The instruction count at which the keyboard may send its next byte. */
  private nextKeyAt = 0;
  private pendingCommand = 0;
  /** Keyboard command waiting for its parameter byte (0xED, 0xF0, 0xF3) or 0. */
  private kbdPending = 0;
  private scanning = true;
  /**
   * Typed keys wait for the guest to enable the keyboard (command F4h): set by holdKeysUntilEnabled
   * for a firmware booting from reset, whose keyboard set-up flushes whatever the keyboard sent during POST.
   */
  private keysHeld = false;
  /**
   * Output port as last written by D1h (QEMU keeps the written byte; unused bits 2–3 read as 1),
   * with bits 4/5 refreshed to the output-buffer state whenever the IRQ lines are updated.
   */
  private outPort = 0xcf;
  private systemFlag = true;
  private irq1 = false;
  private irq12 = false;
  /** Reading an empty buffer returns the last byte again, as the 8042 does. */
  private lastRead = 0;

  constructor(opts: KbcOptions) {
    this.clock = opts.clock;
    this.irq = opts.irq;
    this.memory = opts.memory;
    this.ram[0] = opts.commandByte ?? 0x61;
    this.systemFlag = opts.systemFlag ?? true;
    this.keyByteInterval = Math.max(1, opts.keyByteInterval ?? 20000);
    this.hardwareTyping = opts.hardwareTyping ?? true;
    opts.clock.add(this);
  }

  attach(io: IoBus): void {
    io.register(0x60, 1, { in8: () => this.readData(), out8: (_p, v) => this.writeData(v) });
    io.register(0x64, 1, { in8: () => this.readStatus(), out8: (_p, v) => this.writeCommand(v) });
  }

  /**
   * From power-on, queued keys wait until the guest enables the keyboard (F4h), so none is sent while
   * a firmware's POST flushes the 8042 and resets the keyboard (SeaBIOS discards those bytes): they
   * reach the guest once it reads the keyboard, as keys typed at its prompt would.
   */
  holdKeysUntilEnabled(): void {
    this.keysHeld = true;
  }

  /**
   * The controller as a firmware finds it at power-on (QEMU's reset state): command byte 03h (both
   * interrupts enabled, nothing disabled) and the system flag (status bit 2) clear until a
   * controller self-test (AAh) sets it: the flag that tells a BIOS a cold start from a CPU reset.
   */
  powerOn(): void {
    this.ram[0] = KBC_CMD_KBD_INT | KBC_CMD_AUX_INT;
    this.systemFlag = false;
  }

  get commandByte(): number {
    return this.ram[0];
  }

  // ---- keystroke queue (front ends and the BIOS) ----

  /** Queues text to be typed (see textToKeystrokes for the escapes). */
  type(text: string): void {
    this.queueKeys(textToKeystrokes(text));
  }

  queueKeys(keys: Keystroke[]): void {
    const wasIdle = this.keys.length === 0 && this.typing.length === 0;
    // A loop, not push(...keys): a spread of a very long text overflows the call stack.
    for (const k of keys) this.keys.push(k);
    if (wasIdle) this.nextKeyAt = Math.max(this.nextKeyAt, this.clock.now + this.keyByteInterval);
    this.clock.reschedule();
  }

  /** Keystrokes queued and not yet begun (front ends bound the queue with it). */
  get queuedKeys(): number {
    return this.keys.length;
  }

  /** The next keystroke the keyboard has not begun to send (INT 16h AH=01h peeks at it). */
  peekKeystroke(): Keystroke | undefined {
    return this.keys[0];
  }

  /** Removes and returns the next keystroke not yet begun (INT 16h AH=00h when the BIOS reads the queue directly). */
  takeKeystroke(): Keystroke | undefined {
    return this.keys.shift();
  }

  // ---- ports ----

  readStatus(): number {
    let s = KBC_STATUS_UNLOCKED;
    if (this.output) s |= KBC_STATUS_OBF | (this.output.aux ? KBC_STATUS_AUX_OBF : 0);
    if (this.systemFlag) s |= KBC_STATUS_SYS;
    // Bit 3 says whether the last write went to 0x64. QEMU, the reference the traces are compared
    // with, never clears it after its initial value, so neither do we.
    return s | KBC_STATUS_CMD;
  }

  readData(): number {
    const b = this.output;
    if (!b) return this.lastRead;
    if (b.key && b.value === b.key.scan) this.lastKeystroke = b.key;
    this.output = null;
    this.lastRead = b.value;
    // The next typed byte comes no sooner than the next instant, so IRQ1 drops in between: an
    // edge-triggered PIC sees a new edge for it (SeaBIOS's INT 09h reads late, when it is due).
    this.nextKeyAt = Math.max(this.nextKeyAt, this.clock.now + 1);
    this.refill();
    return b.value;
  }

  writeCommand(cmd: number): void {
    this.pendingCommand = 0;
    if (cmd >= 0x20 && cmd <= 0x3f) return this.reply(this.ram[cmd & 0x1f], false);
    if (cmd >= 0x60 && cmd <= 0x7f) {
      this.pendingCommand = cmd;
      return;
    }
    if (cmd >= 0xf0) {
      // Pulse output port bits 0–3 low for 6 µs where the command's bit is 0; bit 0 is CPU reset.
      if ((cmd & 1) === 0) this.onReset?.('pulse');
      return;
    }
    switch (cmd) {
      case 0xa1: return this.reply(0x00, false); // controller firmware version
      case 0xa4: return this.reply(0xf1, false); // no password installed
      case 0xa7: this.ram[0] |= KBC_CMD_AUX_DISABLE; return;
      case 0xa8: this.ram[0] &= ~KBC_CMD_AUX_DISABLE; return;
      case 0xa9: return this.reply(0x00, false); // aux interface test: no error
      case 0xaa: // controller self-test
        this.systemFlag = true;
        return this.reply(0x55, false);
      case 0xab: return this.reply(0x00, false); // keyboard interface test: no error
      case 0xad:
        this.ram[0] |= KBC_CMD_KBD_DISABLE;
        this.updateIrqs();
        return;
      case 0xae:
        this.ram[0] &= ~KBC_CMD_KBD_DISABLE;
        this.updateIrqs();
        this.refill();
        return;
      case 0xc0: return this.reply(0x80, false); // input port: keyboard not inhibited
      case 0xd0: return this.reply(this.outputPort(), false);
      case WRITE_OUTPUT: case WRITE_KBD_BUFFER: case WRITE_AUX_BUFFER: case WRITE_AUX:
        this.pendingCommand = cmd;
        return;
      case 0xdd: this.outPort &= ~0x02; this.memory.setA20(false); return; // A20 off (controllers with these commands)
      case 0xdf: this.outPort |= 0x02; this.memory.setA20(true); return;
      case 0xe0: return this.reply(0x00, false); // test inputs
      default: // unknown controller commands are ignored
    }
  }

  writeData(v: number): void {
    const cmd = this.pendingCommand;
    this.pendingCommand = 0;
    if (cmd >= WRITE_RAM && cmd <= 0x7f) {
      this.ram[cmd & 0x1f] = v;
      if (cmd === WRITE_RAM) {
        this.updateIrqs();
        this.refill();
      }
      return;
    }
    switch (cmd) {
      case WRITE_OUTPUT: return this.writeOutputPort(v);
      case WRITE_KBD_BUFFER: return this.reply(v, false);
      case WRITE_AUX_BUFFER: return this.reply(v, true);
      case WRITE_AUX: return this.mouseCommand(v);
      default:
        // A byte for the keyboard; sending it re-enables the keyboard interface, as on the 8042.
        this.ram[0] &= ~KBC_CMD_KBD_DISABLE;
        this.keyboardCommand(v);
    }
  }

  /** Output port: bit 0 = not reset, bit 1 = A20, bit 4/5 = output buffer full (keyboard/aux), bits 6–7 clock/data. */
  outputPort(): number {
    return this.outPort;
  }

  private writeOutputPort(v: number): void {
    this.outPort = v;
    this.memory.setA20((v & 0x02) !== 0);
    if ((v & 0x01) === 0) this.onReset?.('output-port');
  }

  private keyboardCommand(v: number): void {
    const pending = this.kbdPending;
    this.kbdPending = 0;
    if (pending === 0xf0 && v === 0) {
      this.reply(0xfa, false);
      return this.reply(this.ram[0] & KBC_CMD_TRANSLATE ? 0x41 : 0x02, false); // set 2, as translated by the 8042
    }
    if (pending !== 0) return this.reply(0xfa, false); // parameter byte of ED/F0/F3
    switch (v) {
      case 0xed: case 0xf0: case 0xf3:
        this.kbdPending = v;
        return this.reply(0xfa, false);
      case 0xee: return this.reply(0xee, false); // echo
      case 0xf2: // identify: MF2 keyboard
        this.reply(0xfa, false);
        this.reply(0xab, false);
        return this.reply(this.ram[0] & KBC_CMD_TRANSLATE ? 0x41 : 0x83, false);
      case 0xf4:
        this.scanning = true;
        this.keysHeld = false;
        this.reply(0xfa, false);
        return this.refill();
      case 0xf5: this.scanning = false; return this.reply(0xfa, false);
      case 0xff: // reset and basic assurance test
        this.scanning = true;
        this.reply(0xfa, false);
        return this.reply(0xaa, false);
      default: return this.reply(0xfa, false);
    }
  }

  /** A PS/2 mouse that is present but never moves: it acknowledges and answers identification. */
  private mouseCommand(v: number): void {
    this.reply(0xfa, true);
    if (v === 0xff) {
      this.reply(0xaa, true);
      this.reply(0x00, true);
    } else if (v === 0xf2) {
      this.reply(0x00, true);
    } else if (v === 0xe9) {
      this.reply(0x00, true);
      this.reply(0x02, true);
      this.reply(0x64, true);
    }
  }

  private reply(value: number, aux: boolean): void {
    this.replies.push({ value, aux, key: null });
    this.refill();
  }

  /** The keyboard may send typed bytes now. */
  private keyboardEnabled(): boolean {
    return this.hardwareTyping && this.scanning && !this.keysHeld && (this.ram[0] & KBC_CMD_KBD_DISABLE) === 0;
  }

  /** Loads the output buffer if it is empty: replies first, then typed bytes whose time has come. */
  private refill(): void {
    if (!this.output) {
      const r = this.replies.shift();
      if (r) this.output = r;
      else if (this.keyboardEnabled() && this.clock.now >= this.nextKeyAt) {
        if (this.typing.length === 0) {
          const k = this.keys.shift();
          if (k) this.typing = k.bytes.map((value) => ({ value, aux: false, key: k }));
        }
        const b = this.typing.shift();
        if (b) {
          this.output = b;
          this.nextKeyAt = this.clock.now + this.keyByteInterval;
        }
      }
    }
    this.updateIrqs();
    // The buffer was emptied (or the keyboard enabled) mid-burst: the next key byte may now be due
    // before the end of the burst the machine planned.
    const next = this.nextEventAt();
    if (next !== this.scheduled) {
      this.scheduled = next;
      if (next !== Infinity) this.clock.reschedule();
    }
  }
  private scheduled = Infinity;

  /**
   * IRQ1/IRQ12 follow "output buffer full" when the command byte enables them; IRQ1 not while the
   * keyboard is disabled (command byte bit 4), as QEMU's 8042, so a controller's reply to a POST's
   * self-test with the keyboard off raises none.
   */
  private updateIrqs(): void {
    this.outPort = (this.outPort & ~0x30) | (this.output ? (this.output.aux ? 0x20 : 0x10) : 0);
    const kbd = !!this.output && !this.output.aux && (this.ram[0] & (KBC_CMD_KBD_INT | KBC_CMD_KBD_DISABLE)) === KBC_CMD_KBD_INT;
    const aux = !!this.output && this.output.aux && (this.ram[0] & KBC_CMD_AUX_INT) !== 0;
    if (kbd !== this.irq1) {
      this.irq1 = kbd;
      if (kbd) this.irq.raiseIrq(1);
      else this.irq.lowerIrq(1);
    }
    if (aux !== this.irq12) {
      this.irq12 = aux;
      if (aux) this.irq.raiseIrq(12);
      else this.irq.lowerIrq(12);
    }
  }

  nextEventAt(): number {
    if (this.output || !this.keyboardEnabled() || (this.keys.length === 0 && this.typing.length === 0)) return Infinity;
    return this.nextKeyAt;
  }

  update(_now: number): void {
    this.refill();
  }
}
