// Typed wrapper over DebugSession.customRequest for the adapter's requests (protocol/customRequests.ts), turning
// an adapter that does not serve a request yet into a clear sentence for the panel instead of an exception.
// Imports 'vscode' and protocol/ only.
import type * as vscode from 'vscode';
import type { CustomRequests } from '../protocol/customRequests';

export type Answer<T> = { ok: true; body: T } | { ok: false; message: string };

export async function panelRequest<R extends keyof CustomRequests & string>(session: vscode.DebugSession, command: R, args: CustomRequests[R][0]): Promise<Answer<CustomRequests[R][1]>> {
  try {
    const body = (await session.customRequest(command, args)) as CustomRequests[R][1];
    if (body === undefined || body === null) return { ok: false, message: `The debug adapter answered ${command} without data.` };
    return { ok: true, body };
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const unsupported = /unrecognized request|unknown (request|command)/i.test(text);
    return {
      ok: false,
      message: unsupported
        ? `This version of the Bootscope debug adapter does not serve ${command} yet, so this panel has nothing to show.`
        : `The debug adapter could not answer ${command}: ${text}`,
    };
  }
}
