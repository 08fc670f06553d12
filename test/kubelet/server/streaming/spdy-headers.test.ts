import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { constants, createDeflate, deflateSync, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../../../src/kubelet/server/streaming/spdy-dictionary.js';
import {
  encodeHeaderBlock,
  HeaderCompressor,
  HeaderDecompressor,
  headerValue,
  parseHeaderBlock,
  type SpdyHeaders,
} from '../../../../src/kubelet/server/streaming/spdy-headers.js';

/** What a Go peer sends: real deflate with the dictionary over one context, a sync flush per block. */
function goLikeCompressor(): (h: SpdyHeaders) => Promise<Buffer> {
  const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  return (h) =>
    new Promise((resolve) => {
      deflate.write(encodeHeaderBlock(h));
      deflate.flush(constants.Z_SYNC_FLUSH, () => setImmediate(() => resolve(Buffer.concat(out.splice(0)))));
    });
}

const blocks: SpdyHeaders[] = [
  { streamtype: ['error'] },
  { streamtype: ['data'], port: ['8080'], requestid: ['0'] },
  {},
  { 'x-many': ['a', 'b', 'c'], streamtype: ['stdout'] },
  { big: ['x'.repeat(70_000)] },
];

describe('SPDY/3 header blocks', () => {
  it('uses the 1423-byte SPDY/3 dictionary, length-prefixed names first', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.deepEqual([...SPDY3_DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')]);
    assert.equal(SPDY3_DICTIONARY.subarray(845, 849).toString(), 'igin');
    assert.equal(SPDY3_DICTIONARY.subarray(-6).toString(), 'enq=0.');
  });

  it('encodes name/value pairs with 32-bit lengths, lower-case names, values joined by NUL', () => {
    const raw = encodeHeaderBlock({ StreamType: ['error'], v: ['a', 'b'] });
    assert.deepEqual(
      raw,
      Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from([0, 0, 0, 10]), Buffer.from('streamtype'), Buffer.from([0, 0, 0, 5]), Buffer.from('error'), Buffer.from([0, 0, 0, 1]), Buffer.from('v'), Buffer.from([0, 0, 0, 3]), Buffer.from('a\0b')]),
    );
    assert.deepEqual(parseHeaderBlock(raw), { headers: { streamtype: ['error'], v: ['a', 'b'] }, consumed: raw.length });
    for (let cut = 0; cut < raw.length; cut++) assert.equal(parseHeaderBlock(raw.subarray(0, cut)), undefined, `cut at ${cut}`);
  });

  it('looks header values up case-insensitively, first value first', () => {
    assert.equal(headerValue({ streamtype: ['data', 'x'] }, 'streamType'), 'data');
    assert.equal(headerValue({}, 'port'), undefined);
  });

  it("names the dictionary in the zlib header as zlib itself does (Go checks the dictionary's Adler-32)", () => {
    const ours = new HeaderCompressor().compress({});
    const zlibs = deflateSync(Buffer.alloc(0), { dictionary: SPDY3_DICTIONARY });
    assert.equal(ours[0], 0x78);
    assert.equal(((ours[0]! << 8) | ours[1]!) % 31, 0, 'FCHECK');
    assert.equal(ours[1]! & 0x20, 0x20, 'FDICT');
    assert.deepEqual(ours.subarray(2, 6), zlibs.subarray(2, 6));
  });

  it('ends every block with the sync-flush marker, the zlib header only on the first', () => {
    const c = new HeaderCompressor();
    const first = c.compress({ a: ['1'] });
    const second = c.compress({ a: ['1'] });
    assert.deepEqual([...first.subarray(-5)], [0, 0, 0, 0xff, 0xff]);
    assert.deepEqual([...second.subarray(-5)], [0, 0, 0, 0xff, 0xff]);
    assert.equal(first.length, second.length + 6);
  });

  it('what it compresses, a standard inflater reads back block after block', () => {
    const c = new HeaderCompressor();
    const wire = Buffer.concat(blocks.map((b) => c.compress(b)));
    const raw = inflateSync(wire, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    assert.deepEqual(raw, Buffer.concat(blocks.map(encodeHeaderBlock)));
  });

  it('round trip: its own blocks through the decompressor, in order', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const got = await Promise.all(blocks.map((b) => d.decompress(c.compress(b))));
    assert.deepEqual(got, blocks);
    d.close();
  });

  it('decompresses what a Go-like peer sends: real deflate over one context, one flush per block', async () => {
    const compress = goLikeCompressor();
    const d = new HeaderDecompressor();
    for (const b of blocks) assert.deepEqual(await d.decompress(await compress(b)), b);
    d.close();
  });

  it('fails every pending and later block once the stream is corrupt', async () => {
    const d = new HeaderDecompressor();
    await assert.rejects(d.decompress(Buffer.from('not zlib at all')), /header block/);
    await assert.rejects(d.decompress(new HeaderCompressor().compress({})), /header block/);
    await assert.rejects(new HeaderDecompressor().decompress(Buffer.alloc(0)), /empty header block/);
    d.close();
  });
});
