import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpdySession, type SpdyStream } from '../../../../src/kubelet/server/streaming/spdy-session.js';
import { SpdyTestClient } from './spdy-client.js';

describe('SPDY session (server side)', () => {
  let server: Server;
  let port: number;
  /** What each test's session does with a new stream. */
  let onStream: (s: SpdyStream) => string | undefined = () => undefined;
  const sessions: { session: SpdySession; closed: Promise<void> }[] = [];

  before(async () => {
    server = createServer((socket: Socket) => {
      let closed!: () => void;
      const done = new Promise<void>((r) => (closed = r));
      const session = new SpdySession(socket, { onStream: (s) => onStream(s), onClose: closed });
      sessions.push({ session, closed: done });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const connectClient = async () => {
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    return new SpdyTestClient(socket);
  };

  it('accepts a stream with an empty SYN_REPLY and hands over its headers and bytes; FIN half-closes', async () => {
    let got: SpdyStream | undefined;
    const received: Buffer[] = [];
    const ended = new Promise<void>((resolve) => {
      onStream = (s) => {
        got = s;
        s.on('data', (d: Buffer) => received.push(d));
        s.on('end', () => {
          s.end('bye');
          resolve();
        });
        s.write('early');
        return undefined;
      };
    });
    const client = await connectClient();
    const s = await client.open({ streamtype: ['stdin'], port: ['80'] });
    assert.deepEqual(await s.answer, { kind: 'reply' });
    s.write('hello ');
    s.write('world');
    s.end();
    await ended;
    await s.ended;
    assert.equal(got?.header('streamType'), 'stdin');
    assert.equal(got?.header('PORT'), '80');
    assert.equal(Buffer.concat(received).toString(), 'hello world');
    assert.equal(s.text(), 'earlybye', 'what the handler wrote before the reply went out after it');
    const replyIndex = client.frames.findIndex((f) => f.type === 'syn_reply');
    const firstData = client.frames.findIndex((f) => f.type === 'data');
    assert.ok(replyIndex >= 0 && replyIndex < firstData, 'SYN_REPLY precedes DATA');
    client.close();
  });

  it('refuses a stream the handler rejects with RST_STREAM CANCEL', async () => {
    onStream = () => 'no';
    const client = await connectClient();
    const s = await client.open({ streamtype: ['bogus'] });
    assert.deepEqual(await s.answer, { kind: 'reset', status: 5 });
    client.close();
  });

  it('refuses even stream ids and ids that do not increase (PROTOCOL_ERROR)', async () => {
    onStream = () => undefined;
    const client = await connectClient();
    const first = await client.open({ a: ['1'] });
    assert.deepEqual(await first.answer, { kind: 'reply' });
    (client as unknown as { nextId: number }).nextId = 1;
    const again = await client.open({ a: ['2'] });
    assert.deepEqual(await again.answer, { kind: 'reset', status: 1 });
    client.close();
  });

  it("answers the client's (odd) pings and ignores even ones", async () => {
    const client = await connectClient();
    client.ping(7);
    client.ping(8);
    client.ping(9);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(client.pings, [7, 9]);
    client.close();
  });

  it('a client RST destroys the stream; a dropped connection destroys them all and closes the session', async () => {
    const streams: SpdyStream[] = [];
    onStream = (s) => {
      streams.push(s);
      return undefined;
    };
    const client = await connectClient();
    const a = await client.open({ n: ['a'] });
    const b = await client.open({ n: ['b'] });
    await Promise.all([a.answer, b.answer]);
    const aClosed = new Promise((r) => streams[0]!.once('close', r));
    a.reset();
    await aClosed;
    assert.equal(streams[1]!.destroyed, false);
    const bClosed = new Promise((r) => streams[1]!.once('close', r));
    client.close();
    await bClosed;
    await sessions.at(-1)!.closed;
    assert.equal(sessions.at(-1)!.session.open, false);
  });

  it('close() sends GOAWAY and ends the connection', async () => {
    onStream = () => undefined;
    const client = await connectClient();
    const s = await client.open({ n: ['x'] });
    await s.answer;
    sessions.at(-1)!.session.close();
    await client.closed;
    assert.ok(client.frames.some((f) => f.type === 'goaway'));
  });

  it('carries writes larger than one frame in several DATA frames, in order', async () => {
    const big = Buffer.alloc(200_000, 'z');
    onStream = (s) => {
      s.end(big);
      return undefined;
    };
    const client = await connectClient();
    const s = await client.open({ n: ['big'] });
    await s.ended;
    assert.equal(Buffer.concat(s.data).length, big.length);
    assert.ok(client.frames.filter((f) => f.type === 'data').length > 2);
    client.close();
  });
});
