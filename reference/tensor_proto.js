'use strict';
// Minimal ONNX TensorProto reader/writer (protobuf wire format), written by
// hand so the reference tools need nothing beyond onnxruntime-node.
//
// A decoded tensor is { name, dataType, type, dims, data }:
//   dataType  ONNX TensorProto.DataType number (1 = FLOAT, 7 = INT64, ...)
//   type      onnxruntime-node type string ('float32', 'int64', 'bool', ...)
//   dims      array of Numbers
//   data      typed array (BigInt64Array for int64, Uint8Array for bool,
//             Uint16Array holding raw bits for float16/bfloat16)
//
// Fields handled: dims=1 (packed or not), data_type=2, float_data=4,
// int32_data=5, int64_data=7, name=8, raw_data=9, double_data=10,
// uint64_data=11, string_data=6 (strings come back as an Array of JS
// strings, type 'string'). Others (segment, doc_string, ...) are skipped;
// external-data tensors are rejected.
// Encoding uses raw_data (little endian), like numpy_helper.from_array;
// string tensors use string_data.

const fs = require('fs');

const DT = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7,
  STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
  COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
};

// dataType -> [ort type string, typed array constructor, bytes per element]
const TYPES = {
  [DT.FLOAT]: ['float32', Float32Array, 4],
  [DT.UINT8]: ['uint8', Uint8Array, 1],
  [DT.INT8]: ['int8', Int8Array, 1],
  [DT.UINT16]: ['uint16', Uint16Array, 2],
  [DT.INT16]: ['int16', Int16Array, 2],
  [DT.INT32]: ['int32', Int32Array, 4],
  [DT.INT64]: ['int64', BigInt64Array, 8],
  [DT.BOOL]: ['bool', Uint8Array, 1],
  [DT.FLOAT16]: ['float16', Uint16Array, 2],
  [DT.DOUBLE]: ['float64', Float64Array, 8],
  [DT.UINT32]: ['uint32', Uint32Array, 4],
  [DT.UINT64]: ['uint64', BigUint64Array, 8],
  [DT.BFLOAT16]: ['bfloat16', Uint16Array, 2],
};

const ORT_TO_DT = {};
for (const [dt, [t]] of Object.entries(TYPES)) {
  if (!(t in ORT_TO_DT)) ORT_TO_DT[t] = Number(dt);
}
ORT_TO_DT.string = DT.STRING;

// ---------------------------------------------------------------- reading

class Reader {
  constructor(buf, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }
  done() { return this.pos >= this.end; }
  // Varint as BigInt (unsigned 64-bit).
  varintBig() {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
    return BigInt.asUintN(64, result);
  }
  // Varint as Number; fine for tags, lengths, dims and enum values.
  varint() {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 128;
      if (mul > 2 ** 70) throw new Error('varint too long');
    }
    return result;
  }
  bytes(n) {
    if (this.pos + n > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wireType) {
    switch (wireType) {
      case 0: this.varintBig(); break;
      case 1: this.bytes(8); break;
      case 2: this.bytes(this.varint()); break;
      case 5: this.bytes(4); break;
      default: throw new Error(`unsupported wire type ${wireType}`);
    }
  }
}

// Signed 64-bit from a varint; dims may be negative in theory.
function toInt64(u) { return BigInt.asIntN(64, u); }

// Collects the values of a repeated scalar field, packed (wire type 2) or
// not. `one(reader)` reads one element.
function readRepeated(r, wireType, scalarWire, one, out) {
  if (wireType === 2) {
    const len = r.varint();
    const sub = new Reader(r.buf, r.pos, r.pos + len);
    r.pos += len;
    while (!sub.done()) out.push(one(sub));
  } else if (wireType === scalarWire) {
    out.push(one(r));
  } else {
    throw new Error(`bad wire type ${wireType} for repeated field`);
  }
}

function readF32(r) {
  const b = r.bytes(4);
  return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
}
function readF64(r) {
  const b = r.bytes(8);
  return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
}

function product(dims) {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

// Decode a serialized TensorProto (Buffer / Uint8Array).
function decode(bytes) {
  const buf = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const r = new Reader(buf);
  const dims = [];
  let dataType = 0;
  let name = '';
  let raw = null;
  const floatData = [];
  const int32Data = [];
  const int64Data = [];
  const doubleData = [];
  const uint64Data = [];
  const stringData = [];
  let external = false;

  while (!r.done()) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wt = tag & 7;
    switch (field) {
      case 1: readRepeated(r, wt, 0, (s) => Number(toInt64(s.varintBig())), dims); break;
      case 2: dataType = r.varint(); break;
      case 4: readRepeated(r, wt, 5, readF32, floatData); break;
      case 5: readRepeated(r, wt, 0, (s) => Number(BigInt.asIntN(32, s.varintBig())), int32Data); break;
      case 6: stringData.push(Buffer.from(r.bytes(r.varint())).toString('utf8')); break;
      case 7: readRepeated(r, wt, 0, (s) => toInt64(s.varintBig()), int64Data); break;
      case 8: name = Buffer.from(r.bytes(r.varint())).toString('utf8'); break;
      case 9: raw = r.bytes(r.varint()); break;
      case 10: readRepeated(r, wt, 1, readF64, doubleData); break;
      case 11: readRepeated(r, wt, 0, (s) => s.varintBig(), uint64Data); break;
      case 13: external = true; r.skip(wt); break;
      case 14: { const loc = r.varint(); if (loc === 1) external = true; break; }
      default: r.skip(wt);
    }
  }

  if (external) throw new Error(`tensor '${name}': external data is not supported`);
  const count = product(dims);
  if (dataType === DT.STRING) {
    if (stringData.length !== count) {
      throw new Error(`tensor '${name}': ${stringData.length} strings, expected ${count}`);
    }
    return { name, dataType, type: 'string', dims, data: stringData };
  }
  const info = TYPES[dataType];
  if (!info) throw new Error(`tensor '${name}': unsupported data_type ${dataType}`);
  const [type, Ctor, size] = info;
  let data;

  if (raw !== null) {
    if (raw.length !== count * size) {
      throw new Error(`tensor '${name}': raw_data has ${raw.length} bytes, expected ${count * size}`);
    }
    // Copy into a fresh, aligned buffer (host is little endian like ONNX).
    const ab = new ArrayBuffer(raw.length);
    new Uint8Array(ab).set(raw);
    data = new Ctor(ab);
  } else {
    let src;
    switch (dataType) {
      case DT.FLOAT: src = floatData; break;
      case DT.DOUBLE: src = doubleData; break;
      case DT.INT64: src = int64Data; break;
      case DT.UINT32: case DT.UINT64: src = uint64Data; break;
      default: src = int32Data; // int8/16/32, uint8/16, bool, float16, bfloat16
    }
    if (src.length !== count) {
      throw new Error(`tensor '${name}': ${src.length} values, expected ${count}`);
    }
    data = new Ctor(count);
    for (let i = 0; i < count; i++) {
      const v = src[i];
      if (Ctor === BigInt64Array) data[i] = BigInt(v);
      else if (Ctor === BigUint64Array) data[i] = BigInt.asUintN(64, BigInt(v));
      else if (dataType === DT.UINT32) data[i] = Number(v);
      else if (dataType === DT.BOOL) data[i] = v ? 1 : 0;
      else data[i] = v;
    }
  }
  return { name, dataType, type, dims, data };
}

function readTensor(path) {
  return decode(fs.readFileSync(path));
}

// ---------------------------------------------------------------- writing

function pushVarint(out, v) {
  let x = BigInt.asUintN(64, BigInt(v));
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
}

// Encode { name, dims, data, dataType | type } as a TensorProto.
// `data` is a typed array matching the type (bool: Uint8Array or Array).
function encode({ name = '', dims, data, dataType, type }) {
  if (!dataType) {
    dataType = ORT_TO_DT[type];
    if (!dataType) throw new Error(`unsupported tensor type '${type}'`);
  }
  const count = product(dims);
  const head = [];
  for (const d of dims) { head.push(0x08); pushVarint(head, d); } // dims, unpacked
  head.push(0x10); pushVarint(head, dataType); // data_type
  const nameBytes = Buffer.from(name, 'utf8');
  if (dataType === DT.STRING) {
    if (data.length !== count) throw new Error(`tensor '${name}': ${data.length} strings for dims [${dims}]`);
    const parts = [Buffer.from(head)];
    for (const str of data) {
      const b = Buffer.from(String(str), 'utf8');
      const t = [0x32]; pushVarint(t, b.length); // string_data
      parts.push(Buffer.from(t), b);
    }
    if (nameBytes.length) {
      const t = [0x42]; pushVarint(t, nameBytes.length);
      parts.push(Buffer.from(t), nameBytes);
    }
    return Buffer.concat(parts);
  }
  const info = TYPES[dataType];
  if (!info) throw new Error(`unsupported data_type ${dataType}`);
  const [, Ctor, size] = info;
  if (data.length !== count) throw new Error(`tensor '${name}': ${data.length} values for dims [${dims}]`);
  let typed = data;
  if (!(data instanceof Ctor)) {
    typed = new Ctor(count);
    for (let i = 0; i < count; i++) {
      const v = data[i];
      typed[i] = (Ctor === BigInt64Array || Ctor === BigUint64Array) ? BigInt(v) : (typeof v === 'boolean' ? Number(v) : v);
    }
  }
  const raw = new Uint8Array(typed.buffer, typed.byteOffset, count * size);
  if (nameBytes.length) { head.push(0x42); pushVarint(head, nameBytes.length); }
  const nameEnd = [];
  nameEnd.push(0x4a); pushVarint(nameEnd, raw.length); // raw_data
  return Buffer.concat([Buffer.from(head), nameBytes, Buffer.from(nameEnd), Buffer.from(raw)]);
}

function writeTensor(path, tensor) {
  fs.writeFileSync(path, encode(tensor));
}

// onnxruntime-node Tensor <-> decoded tensor
function toOrt(ort, t) {
  return new ort.Tensor(t.type, t.data, t.dims);
}
function fromOrt(name, ortTensor) {
  return { name, type: ortTensor.type, dims: Array.from(ortTensor.dims, Number), data: ortTensor.data };
}

module.exports = { DT, TYPES, decode, encode, readTensor, writeTensor, toOrt, fromOrt };
