import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeData,
  encodeGoAway,
  encodeHeaders,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSynReply,
  encodeSynStream,
  encodeWindowUpdate,
  FLAG_FIN,
  type SpdyFrame,
  SpdyFrameParser,
  SpdyProtocolError,
} from '../../../../src/kubelet/server/streaming/spdy-frames.js';

const parseAll = (bytes: Buffer): SpdyFrame[] => new SpdyFrameParser().push(bytes);
const block = Buffer.from('compressed header block bytes');

describe('SPDY/3.1 frames', () => {
  describe('encode then decode', () => {
    const cases: { name: string; bytes: Buffer; want: SpdyFrame }[] = [
      { name: 'DATA', bytes: encodeData(5, Buffer.from('hello')), want: { type: 'data', streamId: 5, flags: 0, data: Buffer.from('hello') } },
      { name: 'DATA with FIN and no payload', bytes: encodeData(7, Buffer.alloc(0), true), want: { type: 'data', streamId: 7, flags: FLAG_FIN, data: Buffer.alloc(0) } },
      {
        name: 'SYN_STREAM',
        bytes: encodeSynStream(3, block, { associatedStreamId: 1, priority: 5, flags: FLAG_FIN }),
        want: { type: 'syn_stream', streamId: 3, associatedStreamId: 1, priority: 5, flags: FLAG_FIN, headerBlock: block },
      },
      { name: 'SYN_REPLY', bytes: encodeSynReply(3, block), want: { type: 'syn_reply', streamId: 3, flags: 0, headerBlock: block } },
      { name: 'HEADERS', bytes: encodeHeaders(9, block, FLAG_FIN), want: { type: 'headers', streamId: 9, flags: FLAG_FIN, headerBlock: block } },
      { name: 'RST_STREAM', bytes: encodeRstStream(11, 5), want: { type: 'rst_stream', streamId: 11, status: 5 } },
      {
        name: 'SETTINGS',
        bytes: encodeSettings([{ id: 7, value: 65536 }, { flags: 1, id: 4, value: 100 }]),
        want: { type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }, { flags: 1, id: 4, value: 100 }] },
      },
      { name: 'PING', bytes: encodePing(0xfffffffe), want: { type: 'ping', id: 0xfffffffe } },
      { name: 'GOAWAY', bytes: encodeGoAway(13, 2), want: { type: 'goaway', lastGoodStreamId: 13, status: 2 } },
      { name: 'WINDOW_UPDATE', bytes: encodeWindowUpdate(1, 1 << 20), want: { type: 'window_update', streamId: 1, delta: 1 << 20 } },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(parseAll(c.bytes), [c.want]));
  });

  it('writes the wire layout of the draft: control bit, version 3, type, flags, 24-bit length', () => {
    assert.deepEqual([...encodePing(1)], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
    assert.deepEqual([...encodeData(0x7fffffff, Buffer.from([9]), true)], [0x7f, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x01, 9]);
  });

  it('reassembles frames from any chunking, one byte at a time included', () => {
    const stream = Buffer.concat([encodeSynStream(1, block), encodeData(1, Buffer.from('abc')), encodePing(3), encodeData(1, Buffer.alloc(0), true)]);
    const parser = new SpdyFrameParser();
    const frames: SpdyFrame[] = [];
    for (const byte of stream) frames.push(...parser.push(Buffer.from([byte])));
    assert.deepEqual(
      frames.map((f) => f.type),
      ['syn_stream', 'data', 'ping', 'data'],
    );
    assert.deepEqual(frames[1], { type: 'data', streamId: 1, flags: 0, data: Buffer.from('abc') });
  });

  it('keeps a partial frame until the rest arrives', () => {
    const bytes = encodeData(1, Buffer.from('0123456789'));
    const parser = new SpdyFrameParser();
    assert.deepEqual(parser.push(bytes.subarray(0, 12)), []);
    assert.deepEqual(parser.push(bytes.subarray(12)), [{ type: 'data', streamId: 1, flags: 0, data: Buffer.from('0123456789') }]);
  });

  it('hands unknown control frame types over as such', () => {
    const frame = Buffer.from([0x80, 0x03, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x02, 0xab, 0xcd]);
    assert.deepEqual(parseAll(frame), [{ type: 'unknown', frameType: 10, flags: 0, payload: Buffer.from([0xab, 0xcd]) }]);
  });

  it('refuses another SPDY version and truncated control frames', () => {
    const v2 = Buffer.from(encodePing(1));
    v2.writeUInt16BE(0x8002, 0);
    assert.throws(() => parseAll(v2), (e: unknown) => e instanceof SpdyProtocolError && /unsupported SPDY version 2/.test(e.message));
    const short = Buffer.from([0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
    assert.throws(() => parseAll(short), /RST_STREAM frame too short/);
  });
});
