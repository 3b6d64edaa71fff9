// The adapter's handler for each custom request of protocol/customRequests.ts, as one map typed by the
// protocol's request → [arguments, response] map: a request the protocol names without a handler here, or a
// handler whose arguments or answer differ from the protocol, does not compile. Arguments reach a handler
// only after debug-adapter/requestArgs.ts has checked their shape. Node only; must not import vscode.
import { CustomRequest, type CustomRequests } from '../protocol/customRequests';
import type { SessionContext } from './context';
import { findCheckFailureStart } from './handlers/checkHistory';
import { findFaultWrite, readFault } from './handlers/fault';
import { compareAgain, readCompare } from './handlers/compare';
import * as panels from './handlers/panels';
import { timeline } from './handlers/timeline';
import { gotoInstruction } from './handlers/timeTravel';

type Handler<K extends keyof CustomRequests> = (ctx: SessionContext, args: CustomRequests[K][0]) => CustomRequests[K][1] | Promise<CustomRequests[K][1]>;

const HANDLERS: { [K in keyof CustomRequests]: Handler<K> } = {
  [CustomRequest.Status]: (c) => panels.status(c),
  [CustomRequest.ReadDescriptorTables]: (c) => panels.readDescriptorTables(c),
  [CustomRequest.ReadDescriptorTable]: panels.readDescriptorTable,
  [CustomRequest.ReadTss]: (c) => panels.readTssRequest(c),
  [CustomRequest.ReadVmcs]: panels.readVmcs,
  [CustomRequest.CheckVmEntry]: panels.checkVmEntry,
  [CustomRequest.FindCheckFailureStart]: findCheckFailureStart,
  [CustomRequest.ReadScreen]: (c) => panels.readScreen(c),
  [CustomRequest.TypeKeys]: panels.typeKeys,
  [CustomRequest.ReadTimeline]: timeline,
  [CustomRequest.GotoInstruction]: async (c, a) => {
    await gotoInstruction(c, a.instruction);
    return {};
  },
  [CustomRequest.DisassemblySource]: panels.disassemblySource,
  [CustomRequest.ReadFault]: (c) => readFault(c),
  [CustomRequest.FindFaultWrite]: findFaultWrite,
  [CustomRequest.ReadCompare]: (c) => readCompare(c),
  [CustomRequest.CompareAgain]: (c) => {
    compareAgain(c);
    return {};
  },
};

/** The handler of a custom request by its command name, or undefined for a name the protocol does not have. */
export function customHandler(command: string): ((ctx: SessionContext, args: unknown) => unknown) | undefined {
  return Object.hasOwn(HANDLERS, command) ? (HANDLERS[command as keyof CustomRequests] as (ctx: SessionContext, args: unknown) => unknown) : undefined;
}
