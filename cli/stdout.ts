// Standard output of the commands. A reader that goes away (`bootscope disasm F | head -3`) ends
// the process quietly; any other write error is one line and exit 1. Long outputs go out in chunks
// that wait for the reader, so memory stays bounded whatever the size of the output.
import { once } from 'node:events';
import { errnoText } from '../host/files';

/** Installs the handlers; write errors on stdout arrive as events after the write returned. */
export function watchStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') process.stderr.write(`bootscope: cannot write standard output: ${errnoText(e)}\n`);
    process.exit(e.code === 'EPIPE' ? 0 : 1);
  });
  // With stderr gone there is nobody left to tell.
  process.stderr.on('error', () => {});
}

const CHUNK = 64 * 1024;

/** Text for stdout, written a chunk at a time: `add` lines, `await flush()` whenever `full`. */
export class ChunkedOutput {
  private parts: string[] = [];
  private size = 0;

  add(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  get full(): boolean {
    return this.size >= CHUNK;
  }

  /** Writes what was added, then waits for the reader (or one turn of the event loop, so a write error arrives). */
  async flush(): Promise<void> {
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    else await new Promise((done) => setImmediate(done));
  }
}
