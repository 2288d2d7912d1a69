/**
 * The few protobuf wire-format operations the ONNX graph reader needs: walk
 * the fields of one message, and encode a length-delimited field. ONNX files
 * are plain protobuf (onnx.proto3), and brainalign only has to read node
 * names and append graph outputs, so a full protobuf runtime is not worth a
 * dependency.
 */

/** One field of a message: its number, wire type and where its payload lies in the buffer. */
export interface WireField {
  field: number;
  wire: 0 | 1 | 2 | 5;
  /** Byte range of the whole field (tag included), for copying it unchanged. */
  start: number;
  end: number;
  /** Payload range of a length-delimited field (wire 2). */
  dataStart: number;
  /** Value of a varint field (wire 0); 64-bit values above 2^53 lose precision, which no caller needs. */
  varint: number;
}

export class ProtobufError extends Error {}

function readVarint(buf: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ProtobufError('varint runs past the end of the message');
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: pos };
    scale *= 128;
  }
  throw new ProtobufError('varint longer than 10 bytes');
}

/** Every field of the message in buf[start, end), in file order. */
export function readFields(buf: Uint8Array, start = 0, end = buf.length): WireField[] {
  const out: WireField[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const tag = readVarint(buf, pos);
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field === 0) throw new ProtobufError(`field number 0 at byte ${fieldStart}`);
    let varint = 0;
    let dataStart = pos;
    if (wire === 0) {
      const v = readVarint(buf, pos);
      varint = v.value;
      pos = v.next;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else if (wire === 2) {
      const len = readVarint(buf, pos);
      dataStart = len.next;
      pos = len.next + len.value;
    } else {
      throw new ProtobufError(`unsupported wire type ${wire} at byte ${fieldStart}`);
    }
    if (pos > end) throw new ProtobufError(`field ${field} at byte ${fieldStart} runs past the end of its message`);
    out.push({ field, wire, start: fieldStart, end: pos, dataStart, varint });
  }
  return out;
}

/** The payload of a length-delimited field as UTF-8 text. */
export function fieldText(buf: Uint8Array, f: WireField): string {
  return new TextDecoder().decode(buf.subarray(f.dataStart, f.end));
}

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field (wire type 2) holding `payload`. */
export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(field * 8 + 2), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** A string field. */
export function stringField(field: number, text: string): Uint8Array {
  return lengthDelimited(field, new TextEncoder().encode(text));
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
