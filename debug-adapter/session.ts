// X86DebugSession: the DAP session, kept thin. It validates the launch, owns the session context
// and delegates every request to handlers/ by area; errors become error responses and the session
// continues. Launch order follows VS Code: launch → initialized → breakpoints → configurationDone.
// Node only; must not import vscode. Protocol: https://microsoft.github.io/debug-adapter-protocol/

import {
  ContinuedEvent, ExitedEvent, InitializedEvent, LoadedSourceEvent, LoggingDebugSession, MemoryEvent, OutputEvent, ProgressEndEvent, ProgressStartEvent,
  ProgressUpdateEvent, Response, StoppedEvent, TerminatedEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { type Frame, FrameReader } from './framing';
import { customHandler } from './customHandlers';
import * as time from './handlers/timeTravel';
import { DISASM_MIME } from './disasmSources';
import { RequestError, type SessionContext, THREAD_ID, refString } from './context';
import { noteFault } from './handlers/fault';
import { MemoryViews } from './memoryViews';
import * as bp from './handlers/breakpoints';
import * as exec from './handlers/execution';
import * as mem from './handlers/memoryAndDisasm';
import * as stack from './handlers/stackAndScopes';
import * as x86 from './handlers/x86Custom';
import { drivesText, launch, LaunchError, type Launched } from './launch';
import { QemuAttach } from './attach';
import { ATTACH_DEFAULT_HOST, type IAttachConfig } from '../protocol/launchConfig';
import { type GdbEndpoint, serveGdb } from './gdb/server';
import { closeSession, openSession } from './machineSession';
import { argumentsProblem } from './requestArgs';
import type { Stop } from './runner';

/** Stop addresses kept for backward disassembly: a long stepping session stays small. */
const MAX_VISITED = 65536;

export class X86DebugSession extends LoggingDebugSession {
  private ctx: SessionContext | null = null;
  /** Launch request "attach": the QEMU this session debugs through its gdbstub, or null. */
  private remote: QemuAttach | null = null;
  private launched: Launched | null = null;
  private lastStop: Stop | null = null;
  /** The gdb server of launch `gdbPort`, once listening. */
  private gdb: GdbEndpoint | null = null;
  private pendingOut = '';
  private readonly memoryViews = new MemoryViews();
  private clientProgress = false;
  /** Serving one connection of `--port` (the process stays when the session ends). */
  private server = false;
  private progress: { id: string; last: number } | null = null;
  private progressSeq = 0;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /**
   * Arguments that do not have the request's shape get an error naming the field; no handler sees them.
   * Attached to QEMU, requests go to the attachment (attach.ts), which answers what the gdbstub can.
   */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const problem = argumentsProblem(request.command, request.arguments);
    if (problem === null && this.remote && !['disconnect', 'terminate', 'initialize', 'attach', 'launch'].includes(request.command)) {
      this.remoteRequest(this.remote, request);
      return;
    }
    if (problem === null) {
      super.dispatchRequest(request);
      return;
    }
    this.sendErrorResponse(new Response(request), { id: 1001, format: problem.replace(/[{}]/g, ''), showUser: true });
  }

  private remoteRequest(remote: QemuAttach, request: DebugProtocol.Request): void {
    const response: DebugProtocol.Response = new Response(request);
    remote.request(request.command, (request.arguments ?? {}) as Record<string, unknown>).then((body) => {
      if (body === null) {
        this.sendErrorResponse(response, {
          id: 3001, showUser: true,
          format: `${request.command}: not available when attached to QEMU (it needs a machine Bootscope runs: launch the image to have the recording, time travel and source breakpoints)`,
        });
        return;
      }
      response.body = body;
      this.sendResponse(response);
    }, (e) => this.sendFailure(response, e));
  }

  /** Launch request "attach": `qemu: { host?, port }`, a QEMU whose gdbstub listens there (-s: port 1234). */
  protected attachRequest(response: DebugProtocol.AttachResponse, args: DebugProtocol.AttachRequestArguments): void {
    if (this.ctx || this.remote) {
      this.sendErrorResponse(response, { id: 2000, format: 'this session has already launched or attached', showUser: true });
      return;
    }
    const q = (args as Partial<Record<keyof IAttachConfig, { host?: unknown; port?: unknown }>>).qemu;
    const host = q?.host ?? ATTACH_DEFAULT_HOST;
    const port = q?.port;
    if (typeof host !== 'string' || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      this.sendErrorResponse(response, { id: 2004, format: `attach: 'qemu' must be { "host"?: "127.0.0.1", "port": 1234 } (QEMU's -s or -gdb tcp::PORT)`, showUser: true });
      return;
    }
    QemuAttach.connect(host, port, {
      onStop: (reason, description, hitBreakpointIds) => this.stopped({ reason: reason as Stop['reason'], description, hitBreakpointIds }),
      output: (t) => this.output(t, 'console'),
    }).then((remote) => {
      this.remote = remote;
      this.output(`Bootscope: attached to QEMU's gdbstub at ${remote.endpoint}\n`, 'console');
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    }, (e: Error) => {
      this.sendErrorResponse(response, { id: 2008, format: `attach: cannot reach QEMU's gdbstub at ${e.message.replace(/[{}]/g, '')} (start QEMU with -s or -gdb tcp::PORT)`, showUser: true });
    });
  }

  /** An error response from what a handler threw (RequestError messages are shown as they are). */
  private sendFailure(response: DebugProtocol.Response, e: unknown): void {
    const show = e instanceof RequestError ? e.showUser : false;
    const msg = e instanceof Error ? e.message : String(e);
    this.sendErrorResponse(response, { id: 1000, format: msg.replace(/[{}]/g, ''), showUser: show });
  }

  /** As handle, for work that finishes later (a cancellable task): the response goes out when it settles. */
  private handleAsync<R extends DebugProtocol.Response>(response: R, work: (ctx: SessionContext) => Promise<R['body']>): void {
    try {
      if (!this.ctx) throw new RequestError('no machine yet: send launch first');
      work(this.ctx).then((body) => {
        if (body !== undefined) response.body = body;
        this.sendResponse(response);
      }, (e) => this.sendFailure(response, e));
    } catch (e) {
      this.sendFailure(response, e);
    }
  }

  /** Runs a handler; its result is the response body, a thrown error an error response. */
  private handle<R extends DebugProtocol.Response>(response: R, work: (ctx: SessionContext) => R['body'] | void): void {
    try {
      if (!this.ctx) throw new RequestError('no machine yet: send launch first');
      const body = work(this.ctx);
      if (body !== undefined) response.body = body;
      this.sendResponse(response);
    } catch (e) {
      this.sendFailure(response, e);
    }
  }

  private output(text: string, category: 'console' | 'stdout' | 'stderr' | 'important' = 'console'): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  protected initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientProgress = args.supportsProgressReporting === true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsSetVariable: true,
      supportsEvaluateForHovers: true,
      supportsCompletionsRequest: true,
      supportsGotoTargetsRequest: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: bp.EXCEPTION_FILTERS,
    };
    this.sendResponse(response);
  }

  protected launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    if (this.ctx) {
      this.sendErrorResponse(response, { id: 2000, format: 'this session has already launched a machine', showUser: true });
      return;
    }
    try {
      const l = launch(args);
      this.launched = l;
      this.ctx = openSession(l, {
        // With gdbPort, gdb sees the stops and the console output it waits for.
        onStop: (s) => { this.stopped(s); this.gdb?.onStop(s); },
        output: (t, c) => { this.output(t, c); this.gdb?.output(t); },
        afterBurst: () => this.flushOutput(),
        onProgress: (n) => this.reportProgress(n),
        onLoadedSource: (reason, source) => this.sendEvent(new LoadedSourceEvent(reason, source)),
        onResume: () => this.sendEvent(new ContinuedEvent(THREAD_ID, true)),
      });
      const machine = l.machine;
      const text = (b: number) => { this.pendingOut += String.fromCharCode(b); };
      machine.devices.debug.onDebugByte = text;
      machine.devices.com1.onTransmit = text;
      for (const n of l.notes) this.output(n + '\n', 'console');
      this.output(`Bootscope: ${drivesText(l.machine)}, cpu ${l.config.cpu}, ${l.config.memoryMB} MiB\n`, 'console');
      if (l.config.gdbPort !== null) this.startGdb(this.ctx, l.config.gdbPort);
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (e) {
      const id = e instanceof LaunchError ? e.id : 2000;
      const msg = (e as Error).message;
      this.output(msg + '\n', 'stderr');
      this.sendErrorResponse(response, { id, format: msg.replace(/[{}]/g, ''), showUser: true });
    }
  }

  protected configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.handle(response, (ctx) => {
      if (this.launched?.config.stopOnEntry) setImmediate(() => this.stopped({ reason: 'entry', description: 'stopped at 0000:7C00' }));
      else exec.continueRun(ctx);
    });
  }

  /** Launch `gdbPort`: the same machine served to gdb; its runs show here as running, their stops as stops. */
  private startGdb(ctx: SessionContext, port: number): void {
    serveGdb(ctx, {
      port,
      log: (t) => this.output(`gdb: ${t}`, 'console'),
      onResume: () => this.sendEvent(new ContinuedEvent(THREAD_ID, true)),
    }).then((ep) => {
      if (this.ctx !== ctx) {
        ep.close();
        return;
      }
      this.gdb = ep;
      this.output(`gdb: target remote 127.0.0.1:${ep.port}\n`, 'console');
    }, (e: Error) => this.output(`gdbPort ${port}: cannot listen on 127.0.0.1: ${e.message}\n`, 'stderr'));
  }

  private flushOutput(): void {
    if (!this.pendingOut) return;
    this.output(this.pendingOut, 'stdout');
    this.pendingOut = '';
  }

  /** Long runs: a progress notification with the instruction count, updated at most twice a second. */
  private reportProgress(instructions: number): void {
    if (!this.clientProgress) return;
    const now = Date.now();
    const msg = `${instructions.toLocaleString('en-US')} instructions`;
    if (!this.progress) {
      this.progress = { id: `run-${++this.progressSeq}`, last: now };
      this.sendEvent(new ProgressStartEvent(this.progress.id, 'Bootscope: running', msg));
    } else if (now - this.progress.last >= 500) {
      this.progress.last = now;
      this.sendEvent(new ProgressUpdateEvent(this.progress.id, msg));
    }
  }

  private stopped(s: Stop): void {
    if (this.progress) this.sendEvent(new ProgressEndEvent(this.progress.id));
    this.progress = null;
    if (this.ctx) {
      for (const r of this.memoryViews.changed(this.ctx.machine.cpu)) this.sendEvent(new MemoryEvent(refString(r.linear), 0, r.count));
      if (this.ctx.visited.size < MAX_VISITED) this.ctx.visited.add(this.ctx.machine.pcLinear);
      noteFault(this.ctx);
    }
    this.lastStop = s;
    if (s.poweredOff) {
      // A machine that is off has nothing to show: the debuggee exited.
      this.flushOutput();
      this.output(`${s.text}\n`, 'console');
      this.sendEvent(new ExitedEvent(0));
      this.sendEvent(new TerminatedEvent());
      return;
    }
    if (s.text) this.output(s.text + '\n', 'console');
    const ev = new StoppedEvent(s.reason, THREAD_ID, s.text) as DebugProtocol.StoppedEvent;
    ev.body.description = s.description;
    ev.body.allThreadsStopped = true;
    if (s.hitBreakpointIds) ev.body.hitBreakpointIds = s.hitBreakpointIds;
    this.sendEvent(ev);
  }

  private end(): void {
    void this.remote?.detach();
    this.remote = null;
    this.gdb?.close();
    this.gdb = null;
    if (this.ctx && this.launched) closeSession(this.ctx, this.launched);
    this.ctx = null;
    this.launched = null;
  }

  /**
   * The connection closed or errored (and SIGTERM on stdio). In server mode the base class keeps the
   * process, so the session must end its machine here: a client that went away without a disconnect
   * would otherwise leave the burst loop running in the server for good.
   */
  override shutdown(): void {
    this.end();
    super.shutdown();
  }

  override setRunAsServer(enable: boolean): void {
    this.server = enable;
    super.setRunAsServer(enable);
  }

  /**
   * Reads the client's bytes with FrameReader instead of the base class's reader, which ends the adapter
   * silently on a frame it cannot parse: the base class gets only checked messages (through a stream that
   * never delivers data), and every problem is reported. The session ends when the input ends or fails.
   */
  override start(inStream: NodeJS.ReadableStream, outStream: NodeJS.WritableStream): void {
    super.start(new PassThrough(), outStream);
    const reader = new FrameReader();
    inStream.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if ('message' in f) this.handleMessage(f.message);
        else this.badFrame(f, inStream);
      }
    });
    for (const e of ['end', 'close', 'error']) inStream.on(e, () => this.shutdown());
    inStream.resume();
  }

  /** A frame that could not be read: an error response when it was a request, else an error output event. */
  private badFrame(f: Extract<Frame, { problem: string }>, inStream: NodeJS.ReadableStream): void {
    if (f.request) this.sendErrorResponse(new Response({ ...f.request, type: 'request' }), { id: 1002, format: f.problem.replace(/[{}]/g, ''), showUser: true });
    else this.output(`bootscope: ${f.problem}\n`, 'stderr');
    if (!f.fatal) return;
    process.stderr.write(`bootscope dap: ${f.problem}; ending the ${this.server ? 'connection' : 'adapter'}\n`);
    this.end();
    if (this.server) (inStream as Socket).destroy();
    else setTimeout(() => process.exit(1), 100);
  }

  /** Ends the machine; on stdio the base class then exits the process (no adapter left behind). */
  protected disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    // Attached: detach first (QEMU's guest runs on), then end as a launch does.
    const remote = this.remote;
    this.remote = null;
    void (remote?.detach() ?? Promise.resolve()).then(() => {
      this.end();
      super.disconnectRequest(response, args);
    });
  }

  protected terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.end();
    this.sendResponse(response);
    this.sendEvent(new ExitedEvent(0));
    this.sendEvent(new TerminatedEvent());
  }

  protected threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = stack.threads();
    this.sendResponse(response);
  }

  protected stackTraceRequest(r: DebugProtocol.StackTraceResponse, a: DebugProtocol.StackTraceArguments): void { this.handle(r, (c) => stack.stackTrace(c, a)); }
  protected scopesRequest(r: DebugProtocol.ScopesResponse, a: DebugProtocol.ScopesArguments): void { this.handle(r, (c) => stack.scopes(c, a)); }
  protected variablesRequest(r: DebugProtocol.VariablesResponse, a: DebugProtocol.VariablesArguments): void { this.handle(r, (c) => stack.variables(c, a)); }
  protected setVariableRequest(r: DebugProtocol.SetVariableResponse, a: DebugProtocol.SetVariableArguments): void {
    this.handle(r, (c) => stack.setVariable(c, a));
  }

  /** The text of a virtual disassembly document (a frame's source without a listing). */
  protected sourceRequest(r: DebugProtocol.SourceResponse, a: DebugProtocol.SourceArguments): void {
    this.handle(r, (c) => {
      const ref = a.source?.sourceReference ?? a.sourceReference;
      const doc = c.disasm.get(ref);
      if (!doc) throw new RequestError(`no disassembly document ${ref} in this session (it belonged to an earlier one, or was dropped)`);
      return { content: doc.text, mimeType: DISASM_MIME };
    });
  }

  protected stepBackRequest(r: DebugProtocol.StepBackResponse, a: DebugProtocol.StepBackArguments): void { this.handle(r, (c) => time.stepBack(c, a)); }
  protected reverseContinueRequest(r: DebugProtocol.ReverseContinueResponse): void { this.handle(r, (c) => time.reverseContinue(c)); }
  protected continueRequest(r: DebugProtocol.ContinueResponse): void { this.handle(r, (c) => exec.continueRun(c)); }
  protected pauseRequest(r: DebugProtocol.PauseResponse): void { this.handle(r, (c) => exec.pause(c)); }
  protected nextRequest(r: DebugProtocol.NextResponse, a: DebugProtocol.NextArguments): void { this.handle(r, (c) => exec.next(c, a)); }
  protected stepInRequest(r: DebugProtocol.StepInResponse, a: DebugProtocol.StepInArguments): void { this.handle(r, (c) => exec.stepIn(c, a)); }
  protected stepOutRequest(r: DebugProtocol.StepOutResponse): void { this.handle(r, (c) => exec.stepOut(c)); }
  protected gotoTargetsRequest(r: DebugProtocol.GotoTargetsResponse, a: DebugProtocol.GotoTargetsArguments): void { this.handle(r, (c) => exec.gotoTargets(c, a)); }
  protected gotoRequest(r: DebugProtocol.GotoResponse, a: DebugProtocol.GotoArguments): void {
    this.handle(r, (c) => {
      exec.goto(c, a);
      setImmediate(() => this.stopped({ reason: 'goto' }));
    });
  }

  protected setBreakPointsRequest(r: DebugProtocol.SetBreakpointsResponse, a: DebugProtocol.SetBreakpointsArguments): void { this.handle(r, (c) => bp.setSourceBreakpoints(c, a)); }
  protected setFunctionBreakPointsRequest(r: DebugProtocol.SetFunctionBreakpointsResponse, a: DebugProtocol.SetFunctionBreakpointsArguments): void { this.handle(r, (c) => bp.setFunctionBreakpoints(c, a)); }
  protected setInstructionBreakpointsRequest(r: DebugProtocol.SetInstructionBreakpointsResponse, a: DebugProtocol.SetInstructionBreakpointsArguments): void { this.handle(r, (c) => bp.setInstructionBreakpoints(c, a)); }
  protected dataBreakpointInfoRequest(r: DebugProtocol.DataBreakpointInfoResponse, a: DebugProtocol.DataBreakpointInfoArguments): void { this.handle(r, (c) => bp.dataBreakpointInfo(c, a)); }
  protected setDataBreakpointsRequest(r: DebugProtocol.SetDataBreakpointsResponse, a: DebugProtocol.SetDataBreakpointsArguments): void { this.handle(r, (c) => bp.setDataBreakpoints(c, a)); }
  protected setExceptionBreakPointsRequest(r: DebugProtocol.SetExceptionBreakpointsResponse, a: DebugProtocol.SetExceptionBreakpointsArguments): void { this.handle(r, (c) => bp.setExceptionBreakpoints(c, a)); }

  protected readMemoryRequest(r: DebugProtocol.ReadMemoryResponse, a: DebugProtocol.ReadMemoryArguments): void {
    this.handle(r, (c) => {
      const body = mem.readMemory(c, a);
      if (body?.data !== undefined) {
        const bytes = Buffer.from(body.data, 'base64');
        this.memoryViews.note(parseInt(body.address, 16), bytes.length, bytes);
      }
      return body;
    });
  }
  protected writeMemoryRequest(r: DebugProtocol.WriteMemoryResponse, a: DebugProtocol.WriteMemoryArguments): void {
    this.handle(r, (c) => {
      const body = mem.writeMemory(c, a);
      this.sendEvent(new MemoryEvent(a.memoryReference, a.offset ?? 0, body?.bytesWritten ?? 0));
      return body;
    });
  }
  protected disassembleRequest(r: DebugProtocol.DisassembleResponse, a: DebugProtocol.DisassembleArguments): void { this.handle(r, (c) => mem.disassemble(c, a)); }

  protected evaluateRequest(r: DebugProtocol.EvaluateResponse, a: DebugProtocol.EvaluateArguments): void {
    this.handleAsync(r, async (c) => x86.evaluateRequest(c, a));
  }
  protected completionsRequest(r: DebugProtocol.CompletionsResponse, a: DebugProtocol.CompletionsArguments): void { this.handle(r, (c) => x86.completions(c, a)); }
  protected exceptionInfoRequest(r: DebugProtocol.ExceptionInfoResponse): void {
    this.handle(r, () => ({
      exceptionId: this.lastStop?.reason ?? 'none', description: this.lastStop?.text ?? this.lastStop?.description, breakMode: 'always' as const,
    }));
  }

  protected customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    const handler = customHandler(command);
    this.handleAsync(response, async (c) => {
      if (!handler) throw new RequestError(`unknown request '${command}'`);
      return (await handler(c, args)) as DebugProtocol.Response['body'];
    });
  }
}
