import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, DnsFormatError, encodeMessage, normalizeIP, Rcode, Type } from '../../src/dns/message.js';
import type { Message, ResourceRecord } from '../../src/dns/message.js';

function response(answers: ResourceRecord[], extra: Partial<Message> = {}): Message {
  return {
    id: 7, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: false, rcode: 0,
    questions: [{ name: 'web.default.svc.cluster.local.', type: Type.A, class: 1 }],
    answers, authority: [], additional: [], ...extra,
  };
}

const records: ResourceRecord[] = [
  { name: 'web.default.svc.cluster.local.', ttl: 5, class: 1, type: Type.A, address: '10.43.0.12' },
  { name: 'web.default.svc.cluster.local.', ttl: 5, class: 1, type: Type.AAAA, address: 'fd00::1:2' },
  { name: 'x.default.svc.cluster.local.', ttl: 5, class: 1, type: Type.CNAME, target: 'example.com.' },
  { name: '_http._tcp.web.default.svc.cluster.local.', ttl: 5, class: 1, type: Type.SRV, priority: 0, weight: 50, port: 80, target: 'web.default.svc.cluster.local.' },
  { name: '12.0.43.10.in-addr.arpa.', ttl: 5, class: 1, type: Type.PTR, target: 'web.default.svc.cluster.local.' },
  { name: 'dns-version.cluster.local.', ttl: 5, class: 1, type: Type.TXT, texts: ['1.1.0', ''] },
  { name: 'cluster.local.', ttl: 5, class: 1, type: Type.SOA, mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
  { name: 'example.com.', ttl: 300, class: 1, type: Type.MX, preference: 10, exchange: 'mail.example.com.' },
  { name: 'example.com.', ttl: 300, class: 1, type: 0, rawType: 99, data: Buffer.from([1, 2, 3]) },
];

for (const rr of records) {
  test(`round trip of a ${rr.type === 0 ? 'raw' : rr.type} record`, () => {
    const msg = response([rr]);
    const back = decodeMessage(encodeMessage(msg));
    assert.deepEqual(back.answers, [rr]);
    assert.deepEqual(back.questions, msg.questions);
    assert.equal(back.id, 7);
    assert.equal(back.qr, true);
    assert.equal(back.aa, true);
  });
}

test('header flags, rcode and EDNS (including extended rcode) round trip', () => {
  const msg = response([], { rcode: Rcode.BADVERS, tc: true, ra: true, edns: { udpSize: 1232, version: 0, extendedRcode: 1, dnssecOk: true } });
  const wire = encodeMessage(msg);
  assert.equal(wire.readUInt16BE(2) & 0xf, 0, 'BADVERS keeps the header rcode bits at 0');
  const back = decodeMessage(wire);
  assert.equal(back.rcode, Rcode.BADVERS);
  assert.equal(back.tc, true);
  assert.equal(back.ra, true);
  assert.deepEqual(back.edns, { udpSize: 1232, version: 0, extendedRcode: 1, dnssecOk: true });
  assert.equal(back.additional.length, 0, 'OPT is surfaced as edns, not as a record');
});

test('names are compressed: repeated owners become 2-octet pointers', () => {
  const many = Array.from({ length: 10 }, (_, i) => ({ name: 'web.default.svc.cluster.local.', ttl: 5, type: Type.A as 1, address: `10.0.0.${i}` }));
  const wire = encodeMessage(response(many));
  // header 12 + question 31+4 + 10 * (2 pointer + 10 fixed + 4 rdata)
  assert.equal(wire.length, 12 + 35 + 10 * 16);
  assert.equal(decodeMessage(wire).answers.length, 10);
});

test('SRV targets are written uncompressed (RFC 2782)', () => {
  const wire = encodeMessage(response([{ name: 'web.default.svc.cluster.local.', ttl: 5, type: Type.SRV, priority: 0, weight: 1, port: 80, target: 'web.default.svc.cluster.local.' }]));
  const full = Buffer.from('\x03web\x07default\x03svc\x07cluster\x05local\x00', 'latin1');
  assert.equal(wire.indexOf(full), 12, 'the question name');
  assert.ok(wire.indexOf(full, 13) > 12, 'the target is spelled out again');
});

test('names compare case-insensitively for compression', () => {
  const msg = response([{ name: 'WEB.default.svc.cluster.local.', ttl: 5, type: Type.A, address: '10.0.0.1' }]);
  const wire = encodeMessage(msg);
  assert.equal(wire.length, 12 + 35 + 16, 'the owner is a pointer to the question name');
  assert.equal(decodeMessage(wire).answers[0].name, 'web.default.svc.cluster.local.');
});

test('maxSize keeps whole answers that fit, sets TC and keeps the OPT record', () => {
  const many = Array.from({ length: 100 }, (_, i) => ({ name: 'big.default.svc.cluster.local.', ttl: 5, type: Type.A as 1, address: `10.0.${i >> 8}.${i & 255}` }));
  const edns = { udpSize: 1232, version: 0, extendedRcode: 0, dnssecOk: false };
  const wire = encodeMessage(response(many, { edns }), { maxSize: 512 });
  assert.ok(wire.length <= 512);
  const back = decodeMessage(wire);
  assert.equal(back.tc, true);
  assert.ok(back.answers.length > 10 && back.answers.length < 100);
  assert.ok(back.edns);
  const full = decodeMessage(encodeMessage(response(many)));
  assert.equal(full.tc, false);
  assert.equal(full.answers.length, 100);
});

test('escaped labels round trip (a dot inside a label)', () => {
  const rr: ResourceRecord = { name: 'a\\.b.example.', ttl: 1, type: Type.A, address: '1.2.3.4' };
  const back = decodeMessage(encodeMessage(response([rr])));
  assert.equal(back.answers[0].name, 'a\\.b.example.');
});

test('normalizeIP compresses IPv6', () => {
  assert.equal(normalizeIP('FD00:0:0:0:0:0:0:1'), 'fd00::1');
  assert.equal(normalizeIP('10.1.2.3'), '10.1.2.3');
});

/** Hand-built packets: header + raw body. */
function packet(body: number[], counts = [1, 0, 0, 0]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0xbeef, 0);
  h.writeUInt16BE(0x0100, 2);
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + i * 2));
  return Buffer.concat([h, Buffer.from(body)]);
}

const malformed: { name: string; buf: Buffer; error: RegExp }[] = [
  { name: 'empty', buf: Buffer.alloc(0), error: /shorter than a DNS header/ },
  { name: '11 bytes', buf: Buffer.alloc(11), error: /shorter than a DNS header/ },
  { name: 'question count but no question', buf: packet([]), error: /section counts exceed/ },
  { name: 'label runs past the end', buf: packet([9, 0x61, 0x62, 0, 0, 0, 0]), error: /label runs past the end/ },
  { name: 'name without terminator', buf: packet([1, 0x61, 1, 0x62, 1]), error: /past the end/ },
  { name: 'pointer to itself', buf: packet([0xc0, 12, 0, 1, 0, 1]), error: /pointer loop/ },
  { name: 'forward pointer', buf: packet([0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]), error: /pointer loop/ },
  { name: 'truncated pointer', buf: packet([3, 0x61, 0x61, 0x61, 0xc0]), error: /truncated compression pointer/ },
  { name: 'extended label type', buf: packet([0x41, 0, 0, 1, 0, 1]), error: /unsupported label type/ },
  { name: 'missing qtype', buf: packet([1, 0x61, 0, 0, 1]), error: /truncated/ },
  { name: 'rdlength past the end', buf: packet([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 50, 1, 2], [0, 1, 0, 0]), error: /truncated/ },
  { name: 'A with 3 bytes', buf: packet([0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0]), error: /wrong length/ },
  { name: 'two OPT records', buf: packet([0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 2]), error: /invalid OPT/ },
  { name: 'name over 255 octets', buf: packet([...Array.from({ length: 5 }, () => [63, ...Array(63).fill(0x61)]).flat(), 0, 0, 1, 0, 1]), error: /longer than 255/ },
];

for (const { name, buf, error } of malformed) {
  test(`malformed: ${name} throws DnsFormatError`, () => {
    assert.throws(() => decodeMessage(buf), (e: unknown) => e instanceof DnsFormatError && error.test(e.message));
  });
}

test('a DnsFormatError carries the ID once the header was read', () => {
  try {
    decodeMessage(packet([5, 1]));
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof DnsFormatError);
    assert.equal(e.id, 0xbeef);
  }
});

test('backward pointers decode (compressed question names from other implementations)', () => {
  // question 1: a.example. ; question 2: b + pointer to "example" at offset 14
  const buf = packet([1, 0x61, 7, ...Buffer.from('example'), 0, 0, 1, 0, 1, 1, 0x62, 0xc0, 14, 0, 1, 0, 1], [2, 0, 0, 0]);
  assert.deepEqual(decodeMessage(buf).questions.map((q) => q.name), ['a.example.', 'b.example.']);
});

test('fuzz: 5000 random and truncated packets never throw anything but DnsFormatError', () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const valid = encodeMessage(response(records));
  let decoded = 0;
  for (let i = 0; i < 5000; i++) {
    let buf: Buffer;
    if (i % 3 === 0) buf = valid.subarray(0, Math.floor(rand() * valid.length));
    else if (i % 3 === 1) {
      buf = Buffer.from(valid);
      for (let j = 0; j < 1 + rand() * 8; j++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
    } else buf = Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
    try {
      decodeMessage(buf);
      decoded++;
    } catch (e) {
      assert.ok(e instanceof DnsFormatError, `unexpected ${String(e)} for ${buf.toString('hex')}`);
    }
  }
  assert.ok(decoded > 0, 'some mutated packets still decode');
});
