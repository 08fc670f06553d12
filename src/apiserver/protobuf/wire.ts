// Protobuf wire-format reading: varints, length-delimited slices, skipping. Every failure is a
// 400 BadRequest naming what was being read, because the bytes came from a client.
import { badRequest } from '../../apimachinery/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export const malformed = (what: string) => badRequest(`unable to decode the protobuf body: ${what}`);

/** A cursor over buf[pos, end). Sub-messages get their own Reader over their slice. */
export class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a BigInt (int64 values and negative int32s take all ten bytes). */
  varint(context: string): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw malformed(`truncated varint in ${context}`);
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
    }
    throw malformed(`varint longer than 10 bytes in ${context}`);
  }

  /** A varint that must fit a non-negative safe integer (tags and lengths). */
  smallVarint(context: string): number {
    // Fast path: tags and lengths almost always fit in four bytes.
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.end) throw malformed(`truncated varint in ${context}`);
      const byte = this.buf[this.pos++]!;
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
    }
    this.pos -= 4;
    const big = this.varint(context);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(`length or tag too large in ${context}`);
    return Number(big);
  }

  /** The next field's tag: its number and wire type; throws on the group wire types proto3 dropped. */
  tag(context: string): { number: number; wireType: number } {
    const tag = this.smallVarint(context);
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (number === 0) throw malformed(`field number 0 in ${context}`);
    if (wireType !== WIRE_VARINT && wireType !== WIRE_FIXED64 && wireType !== WIRE_BYTES && wireType !== WIRE_FIXED32) {
      throw malformed(`unsupported wire type ${wireType} for field ${number} in ${context}`);
    }
    return { number, wireType };
  }

  /** A length-delimited payload as a sub-range [start, end) of buf. */
  lengthDelimited(context: string): { start: number; end: number } {
    const length = this.smallVarint(context);
    const start = this.pos;
    if (length > this.end - start) {
      throw malformed(`truncated data in ${context}: length ${length} runs past the end of the message`);
    }
    this.pos = start + length;
    return { start, end: this.pos };
  }

  /** Moves past a value of the given wire type (used for the envelope's fields we do not need). */
  skip(wireType: number, context: string): void {
    if (wireType === WIRE_VARINT) this.varint(context);
    else if (wireType === WIRE_BYTES) this.lengthDelimited(context);
    else {
      const size = wireType === WIRE_FIXED64 ? 8 : 4;
      if (this.end - this.pos < size) throw malformed(`truncated fixed-size value in ${context}`);
      this.pos += size;
    }
  }
}

const utf8 = new TextDecoder('utf-8');

export const decodeString = (buf: Uint8Array, start: number, end: number): string => utf8.decode(buf.subarray(start, end));
