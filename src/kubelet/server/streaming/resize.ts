// Terminal resize events: the client writes TerminalSize objects ({"Width":80,"Height":24}) one
// after the other on the resize stream (SPDY) or channel 4 (WebSocket), as Go's json.Encoder
// writes them; the runtime consumes them as an async iterable of { width, height }. As upstream's
// handleResizeEvents, the first undecodable object ends the events.
import type { Readable } from 'node:stream';

export interface TerminalSize {
  width: number;
  height: number;
}

/** Splits a byte stream of concatenated JSON objects into the objects' texts. */
export class JsonObjectSplitter {
  private text = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  push(chunk: string): string[] {
    this.text += chunk;
    const out: string[] = [];
    for (let i = this.scanned; i < this.text.length; i++) {
      const c = this.text[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (c === '}' && this.depth > 0) {
        this.depth--;
        if (this.depth === 0) {
          out.push(this.text.slice(this.start, i + 1));
          this.text = this.text.slice(i + 1);
          i = -1;
          this.start = -1;
        }
      } else if (this.depth === 0 && !/\s/.test(c!)) {
        // Not an object where one must start: report it as a text of its own (it fails to decode).
        out.push(c!);
        this.text = this.text.slice(i + 1);
        i = -1;
      }
    }
    this.scanned = this.text.length;
    return out;
  }
}

/** Decodes one TerminalSize; undefined when it is not one (Go would fail to decode it). */
export function decodeTerminalSize(text: string): TerminalSize | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  // encoding/json matches field names case-insensitively.
  const get = (name: string) => Object.entries(v as Record<string, unknown>).find(([k]) => k.toLowerCase() === name)?.[1];
  const width = get('width') ?? 0;
  const height = get('height') ?? 0;
  if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 0 || (height as number) < 0) return undefined;
  if ((width as number) > 0xffff || (height as number) > 0xffff) return undefined;
  return { width: width as number, height: height as number };
}

/** Resize events read from `source`, ending with it or at the first object that does not decode. */
export function resizeEvents(source: Readable): AsyncIterable<TerminalSize> {
  const queue: TerminalSize[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const splitter = new JsonObjectSplitter();
  const finish = () => {
    ended = true;
    source.off('data', onData);
    wake?.();
  };
  const onData = (chunk: Buffer) => {
    for (const text of splitter.push(chunk.toString('utf8'))) {
      const size = decodeTerminalSize(text);
      if (!size) return finish();
      queue.push(size);
    }
    wake?.();
  };
  source.on('data', onData);
  source.once('end', finish);
  source.once('close', finish);
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queue.length > 0) {
          yield queue.shift()!;
          continue;
        }
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    },
  };
}
