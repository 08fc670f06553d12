import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { decodeTerminalSize, JsonObjectSplitter, resizeEvents, type TerminalSize } from '../../../../src/kubelet/server/streaming/resize.js';

const collect = async (it: AsyncIterable<TerminalSize>) => {
  const out: TerminalSize[] = [];
  for await (const s of it) out.push(s);
  return out;
};

describe('terminal resize events', () => {
  it("splits concatenated JSON objects as Go's json.Encoder writes them, in any chunking", () => {
    const text = '{"Width":80,"Height":24}\n{"Width":100,"Height":30}\n{"s":"a}\\"{"}';
    const s = new JsonObjectSplitter();
    const got: string[] = [];
    for (const ch of text) got.push(...s.push(ch));
    assert.deepEqual(got, ['{"Width":80,"Height":24}', '{"Width":100,"Height":30}', '{"s":"a}\\"{"}']);
  });

  it('reports text outside an object as a piece of its own', () => {
    assert.deepEqual(new JsonObjectSplitter().push(' x{"a":1}'), ['x', '{"a":1}']);
  });

  describe('decoding a TerminalSize', () => {
    const cases: { text: string; want: TerminalSize | undefined }[] = [
      { text: '{"Width":80,"Height":24}', want: { width: 80, height: 24 } },
      { text: '{"width":1,"HEIGHT":2}', want: { width: 1, height: 2 } },
      { text: '{"Width":80}', want: { width: 80, height: 0 } },
      { text: '{"Width":-1,"Height":2}', want: undefined },
      { text: '{"Width":"80","Height":2}', want: undefined },
      { text: '{"Width":70000,"Height":2}', want: undefined },
      { text: '[1,2]', want: undefined },
      { text: 'x', want: undefined },
    ];
    for (const c of cases) it(c.text, () => assert.deepEqual(decodeTerminalSize(c.text), c.want));
  });

  it('yields sizes as they arrive and ends with the stream', async () => {
    const src = new PassThrough();
    const events = collect(resizeEvents(src));
    src.write('{"Width":80,"Hei');
    src.write('ght":24}{"Width":120,"Height":40}');
    src.end();
    assert.deepEqual(await events, [{ width: 80, height: 24 }, { width: 120, height: 40 }]);
  });

  it('stops at the first object that does not decode, as upstream handleResizeEvents', async () => {
    const src = new PassThrough();
    const events = collect(resizeEvents(src));
    src.write('{"Width":1,"Height":1}{"Width":"wide"}{"Width":2,"Height":2}');
    assert.deepEqual(await events, [{ width: 1, height: 1 }]);
  });
});
