// A bare WebSocket client for tests that need a subprotocol `ws` refuses to send
// ("SPDY/3.1+portforward.k8s.io" is not an RFC 7230 token; client-go's gorilla sends it anyway):
// the handshake by hand, then binary messages as a byte stream (what client-go's
// TunnelingConnection does).
import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';

function frame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : len < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]) : Buffer.alloc(10);
  if (len >= 65536) {
    head[0] = 0x80 | opcode;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i % 4]!;
  return Buffer.concat([head, mask, masked]);
}

/** Upgrades `socket` with `protocol`; resolves with the response head and, on 101, the message stream. */
export function rawWebSocket(socket: Duplex, path: string, protocol: string): Promise<{ head: string; stream?: Duplex }> {
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: kubelet\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let stream: Duplex | undefined;
    const parse = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let offset = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          offset = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          offset = 10;
        }
        if (buf.length < offset + len) return;
        const payload = buf.subarray(offset, offset + len);
        buf = buf.subarray(offset + len);
        if (opcode === 0x2 || opcode === 0x0) stream!.push(Buffer.from(payload));
        else if (opcode === 0x9) socket.write(frame(0xa, payload));
        else if (opcode === 0x8) {
          stream!.push(null);
          socket.end(frame(0x8, payload));
        }
      }
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (stream) return parse();
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString();
      buf = buf.subarray(end + 4);
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        return resolve({ head });
      }
      stream = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          socket.write(frame(0x2, chunk), cb);
        },
        final(cb) {
          socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
          cb();
        },
        destroy(err, cb) {
          socket.destroy();
          cb(err);
        },
      });
      socket.once('close', () => stream!.destroy());
      resolve({ head, stream });
      parse();
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}
