import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import {
  Channel,
  ChannelConnection,
  type ChannelMode,
  decodeChannelMessage,
  encodeChannelMessage,
  negotiateSubprotocol,
} from '../../../../src/kubelet/server/streaming/websocket-channels.js';

const readAll = (r: Readable): Promise<string> =>
  new Promise((resolve) => {
    let s = '';
    r.on('data', (d: Buffer) => (s += d.toString()));
    r.on('end', () => resolve(s));
  });

describe('WebSocket channel protocols', () => {
  describe('message encoding', () => {
    it('binary: the channel byte, then the payload', () => {
      assert.deepEqual(encodeChannelMessage(1, Buffer.from('hi'), false), Buffer.from([1, 0x68, 0x69]));
      assert.deepEqual(decodeChannelMessage(Buffer.from([2, 0x6f, 0x6b]), false), { channel: 2, data: Buffer.from('ok') });
    });
    it('base64: the channel as an ASCII digit, then base64 (upstream example "1Cg==")', () => {
      assert.equal(encodeChannelMessage(1, Buffer.from('\n'), true), '1Cg==');
      assert.deepEqual(decodeChannelMessage(Buffer.from('0Zm9vCg=='), true), { channel: 0, data: Buffer.from('foo\n') });
    });
    it('an empty message carries nothing (skipped, as upstream does)', () => {
      assert.equal(decodeChannelMessage(Buffer.alloc(0), false), undefined);
      assert.deepEqual(decodeChannelMessage(Buffer.from([3]), false), { channel: 3, data: Buffer.alloc(0) });
    });
  });

  describe('subprotocol negotiation (the first offered one the server supports)', () => {
    const supported = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io', ''];
    const cases: { offered: string[]; want: string | undefined }[] = [
      { offered: ['v5.channel.k8s.io', 'v4.channel.k8s.io'], want: 'v5.channel.k8s.io' },
      { offered: ['v3.channel.k8s.io', 'v4.channel.k8s.io', 'v5.channel.k8s.io'], want: 'v4.channel.k8s.io' },
      { offered: [], want: '' },
      { offered: ['v2.channel.k8s.io'], want: undefined },
    ];
    for (const c of cases) it(`[${c.offered.join(', ')}] -> ${String(c.want)}`, () => assert.equal(negotiateSubprotocol(c.offered, supported), c.want));
    it('no subprotocol and none allowed', () => assert.equal(negotiateSubprotocol([], ['v4.channel.k8s.io']), undefined));
  });

  describe('a connection as channels', () => {
    let http: Server;
    let port: number;
    let modes: ChannelMode[] = [];
    let onConnection: (c: ChannelConnection) => void = () => {};

    before(async () => {
      http = createServer();
      const wss = new WebSocketServer({ server: http, handleProtocols: (p) => [...p][0] ?? false });
      wss.on('connection', (ws) => onConnection(new ChannelConnection(ws, ws.protocol, modes)));
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      port = (http.address() as { port: number }).port;
    });
    after(() => new Promise<void>((r) => http.close(() => r())));

    const open = (protocol: string) =>
      new Promise<{ ws: WebSocket; messages: Buffer[] }>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/`, [protocol]);
        const messages: Buffer[] = [];
        ws.on('message', (d: Buffer) => messages.push(Buffer.from(d)));
        ws.once('open', () => resolve({ ws, messages }));
        ws.once('error', reject);
      });

    it('v5: the close signal [255, 0] ends the stdin reader; writers send on their channel', async () => {
      modes = ['read', 'write', 'ignore', 'write', 'read'];
      const server = new Promise<ChannelConnection>((r) => (onConnection = r));
      const { ws, messages } = await open('v5.channel.k8s.io');
      const conn = await server;
      const stdin = readAll(conn.reader(Channel.Stdin));
      ws.send(Buffer.from([0, ...Buffer.from('abc')]));
      ws.send(Buffer.from([Channel.Close, Channel.Stdin]));
      assert.equal(await stdin, 'abc');
      conn.writer(Channel.Stdout).write('out');
      conn.writer(Channel.Stderr).write('dropped: an ignored channel');
      conn.send(Channel.Error, Buffer.from('{}'));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(messages, [Buffer.from([1, ...Buffer.from('out')]), Buffer.from([3, ...Buffer.from('{}')])]);
      const closed = new Promise((r) => ws.once('close', (code) => r(code)));
      conn.close();
      assert.equal(await closed, 1000);
    });

    it('v4: no close signal (255 is an unknown channel); readers end with the connection', async () => {
      modes = ['read', 'write'];
      const server = new Promise<ChannelConnection>((r) => (onConnection = r));
      const { ws } = await open('v4.channel.k8s.io');
      const conn = await server;
      const stdin = readAll(conn.reader(Channel.Stdin));
      const unread = readAll(conn.reader(7));
      ws.send(Buffer.from([0, 0x78]));
      ws.send(Buffer.from([Channel.Close, Channel.Stdin]));
      ws.send(Buffer.from([0, 0x79]));
      ws.close();
      assert.equal(await stdin, 'xy');
      assert.equal(await unread, '');
    });

    it('base64: text frames both ways; a writer is destroyed when the client goes', async () => {
      modes = ['read', 'write'];
      const server = new Promise<ChannelConnection>((r) => (onConnection = r));
      const { ws, messages } = await open('v4.base64.channel.k8s.io');
      const conn = await server;
      const stdin = readAll(conn.reader(Channel.Stdin));
      ws.send('0aGk=');
      const out = conn.writer(Channel.Stdout);
      out.write('ok');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(messages.map((m) => m.toString()), ['1b2s=']);
      const destroyed = new Promise((r) => out.once('close', r));
      ws.close();
      assert.equal(await stdin, 'hi');
      await destroyed;
    });
  });
});
