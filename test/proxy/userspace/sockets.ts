// Loopback backends and clients for the userspace proxy tests. Everything binds 127.0.0.1 only.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import type { ProxyEndpoint, ServicePortInfo } from '../../../src/proxy/model.js';

export const HOST = '127.0.0.1';

export interface Backend {
  name: string;
  port: number;
  endpoint: ProxyEndpoint;
  close(): Promise<void>;
}

const endpoint = (port: number): ProxyEndpoint => ({ ip: HOST, port, ready: true, serving: true, terminating: false });

/** An HTTP server answering "<name>;" to every request, keep-alive allowed. */
export async function httpBackend(name: string): Promise<Backend> {
  const server = http.createServer((_req, res) => res.end(`${name};`));
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    name,
    port,
    endpoint: endpoint(port),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A UDP server answering "<name>:<datagram>". */
export async function udpBackend(name: string): Promise<Backend> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  const port = socket.address().port;
  return { name, port, endpoint: endpoint(port), close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** A port nothing listens on (bound then released), for TCP or UDP. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function servicePort(name: string, protocol: 'TCP' | 'UDP', endpoints: ProxyEndpoint[], extra: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    key: `default/${name}/${protocol.toLowerCase()}/`,
    namespace: 'default',
    name,
    portName: '',
    protocol,
    clusterIP: '10.96.0.1',
    port: 80,
    externalAddresses: [],
    internalPolicyLocal: false,
    externalPolicyLocal: false,
    clusterEndpoints: endpoints,
    localEndpoints: [],
    ...extra,
  };
}

/** One request on a fresh connection; resolves with the backend's name. */
export function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body.replace(/;$/, '')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

/** A raw keep-alive connection through which requests can be sent one after another. */
export async function keepAlive(port: number): Promise<{ request(): Promise<string>; socket: net.Socket }> {
  const socket = net.connect(port, HOST);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setEncoding('utf8');
  let buffered = '';
  let waiting: ((body: string) => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    const m = /\r\n\r\n([^;]*);$/.exec(buffered);
    if (m && waiting) {
      buffered = '';
      const w = waiting;
      waiting = undefined;
      w(m[1]!);
    }
  });
  return {
    socket,
    request: () =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('keep-alive request timed out')), 3000);
        waiting = (body) => {
          clearTimeout(timer);
          resolve(body);
        };
        socket.write(`GET / HTTP/1.1\r\nHost: test\r\n\r\n`);
      }),
  };
}

/** Connects and reports how the connection ended: 'data', 'reset', 'refused', 'closed' or 'timeout'. */
export function probe(port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    const done = (how: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(how);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n'));
    socket.on('data', () => done('data'));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ECONNRESET' ? 'reset' : (err.code ?? 'error')));
    socket.on('end', () => done('closed'));
  });
}

/** Sends one datagram from `socket` and waits for one reply. */
export function udpExchange(socket: dgram.Socket, port: number, payload: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error('no UDP reply'));
    }, timeoutMs);
    const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (rinfo.port !== port) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(msg.toString());
    };
    socket.on('message', onMessage);
    socket.send(payload, port, HOST);
  });
}
