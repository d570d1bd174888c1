import { Inflate } from 'fflate';
import { FormatError } from '@rnn/core';
import { checkSize, type LoadLimits } from './limits.js';

/**
 * Just enough of the zip format to read a `.keras` file safely: the central directory is parsed
 * first, every size it declares is checked against the limits, and each wanted entry is inflated as
 * a stream that stops as soon as it grows past its declared size (zip bombs), then CRC-checked.
 */

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;
/** Input slice per inflate step: bounds how far one step can overshoot a lying declared size (~1000x). */
const INFLATE_STEP = 16 * 1024;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && readU32(bytes, 0) === LOCAL_SIGNATURE;
}

function corrupt(message: string, field?: string): FormatError {
  return new FormatError(`.keras zip: ${message}`, { field });
}

function readU16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** A 64-bit size as a JS number; anything past 2^53 is certainly over every limit. */
function readU64(b: Uint8Array, at: number): number {
  return readU32(b, at) + readU32(b, at + 4) * 2 ** 32;
}

function need(b: Uint8Array, at: number, length: number, what: string): void {
  if (!(at >= 0 && at + length <= b.length)) throw corrupt(`${what} at offset ${at} runs past the end of the file (${b.length} bytes); the file is truncated or corrupt`);
}

function findEndOfCentralDirectory(b: Uint8Array): number {
  const lowest = Math.max(0, b.length - EOCD_SIZE - MAX_COMMENT);
  for (let at = b.length - EOCD_SIZE; at >= lowest; at--) {
    if (readU32(b, at) === EOCD_SIGNATURE && at + EOCD_SIZE + readU16(b, at + 20) === b.length) return at;
  }
  throw corrupt('no end-of-central-directory record: the file is truncated or not a zip');
}

interface Directory {
  readonly count: number;
  readonly offset: number;
  readonly size: number;
}

function readDirectoryLocation(b: Uint8Array, eocd: number): Directory {
  let count = readU16(b, eocd + 10);
  let size = readU32(b, eocd + 12);
  let offset = readU32(b, eocd + 16);
  if (readU16(b, eocd + 4) !== 0 || readU16(b, eocd + 6) !== 0) throw corrupt('multi-disk archives are not supported');
  const locator = eocd - 20;
  if (locator >= 0 && readU32(b, locator) === ZIP64_LOCATOR_SIGNATURE) {
    const zip64 = readU64(b, locator + 8);
    need(b, zip64, 56, 'zip64 end-of-central-directory record');
    if (readU32(b, zip64) !== ZIP64_EOCD_SIGNATURE) throw corrupt('zip64 end-of-central-directory record is missing');
    count = readU64(b, zip64 + 32);
    size = readU64(b, zip64 + 40);
    offset = readU64(b, zip64 + 48);
  }
  return { count, offset, size };
}

/** Replaces 0xffffffff sizes and offsets by their zip64 extra-field values. */
function applyZip64(b: Uint8Array, extraStart: number, extraLength: number, entry: { -readonly [K in keyof ZipEntry]: ZipEntry[K] }): void {
  const fields = (['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const).filter((f) => entry[f] === 0xffffffff);
  if (fields.length === 0) return;
  let at = extraStart;
  const end = extraStart + extraLength;
  while (at + 4 <= end) {
    const id = readU16(b, at);
    const length = readU16(b, at + 2);
    if (id === 0x0001) {
      if (length < fields.length * 8 || at + 4 + length > end) break;
      fields.forEach((field, i) => (entry[field] = readU64(b, at + 4 + i * 8)));
      return;
    }
    at += 4 + length;
  }
  throw corrupt(`entry "${entry.name}" declares zip64 sizes but has no valid zip64 extra field`);
}

/** Lists the central directory, checking its declared sizes against the file and the limits. */
export function listZip(b: Uint8Array, limits: LoadLimits): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(b);
  const directory = readDirectoryLocation(b, eocd);
  if (directory.count > limits.maxZipEntries) {
    throw new FormatError(`.keras zip declares ${directory.count} entries, over the limit of ${limits.maxZipEntries}`, {
      field: 'maxZipEntries',
      expected: `<= ${limits.maxZipEntries}`,
      actual: directory.count,
    });
  }
  need(b, directory.offset, directory.size, 'central directory');
  const entries: ZipEntry[] = [];
  let at = directory.offset;
  const end = directory.offset + directory.size;
  for (let i = 0; i < directory.count; i++) {
    need(b, at, 46, `central directory entry ${i}`);
    if (at + 46 > end || readU32(b, at) !== CENTRAL_SIGNATURE) throw corrupt(`central directory entry ${i} is malformed`);
    const nameLength = readU16(b, at + 28);
    const extraLength = readU16(b, at + 30);
    const commentLength = readU16(b, at + 32);
    need(b, at + 46, nameLength + extraLength + commentLength, `central directory entry ${i}`);
    const entry = {
      name: new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(at + 46, at + 46 + nameLength)),
      flags: readU16(b, at + 8),
      method: readU16(b, at + 10),
      crc32: readU32(b, at + 16),
      compressedSize: readU32(b, at + 20),
      uncompressedSize: readU32(b, at + 24),
      localHeaderOffset: readU32(b, at + 42),
    };
    applyZip64(b, at + 46 + nameLength, extraLength, entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Reads the named entries (each must exist unless listed in `optional`), all limits checked first. */
export function readZipEntries(
  b: Uint8Array,
  wanted: readonly { readonly name: string; readonly maxBytes: number; readonly limitName: keyof LoadLimits; readonly optional?: boolean }[],
  limits: LoadLimits,
): Map<string, Uint8Array> {
  const entries = listZip(b, limits);
  const selected: { entry: ZipEntry; maxBytes: number; limitName: keyof LoadLimits }[] = [];
  let total = 0;
  for (const want of wanted) {
    const matches = entries.filter((e) => e.name === want.name);
    if (matches.length > 1) throw corrupt(`entry "${want.name}" appears ${matches.length} times`, want.name);
    const entry = matches[0];
    if (!entry) {
      if (want.optional) continue;
      const names = entries.slice(0, 10).map((e) => e.name);
      throw corrupt(`no "${want.name}" entry (a Keras .keras file holds config.json, metadata.json and model.weights.h5; found ${names.join(', ') || 'nothing'})`, want.name);
    }
    checkSize(`.keras entry "${entry.name}"`, entry.uncompressedSize, want.maxBytes, want.limitName);
    total += entry.uncompressedSize;
    checkSize('the .keras entries to read', total, limits.maxDecompressedBytes, 'maxDecompressedBytes');
    selected.push({ entry, maxBytes: want.maxBytes, limitName: want.limitName });
  }
  const out = new Map<string, Uint8Array>();
  for (const { entry } of selected) out.set(entry.name, extract(b, entry));
  return out;
}

function extract(b: Uint8Array, entry: ZipEntry): Uint8Array {
  if (entry.flags & 0x1) throw corrupt(`entry "${entry.name}" is encrypted`, entry.name);
  need(b, entry.localHeaderOffset, 30, `local header of "${entry.name}"`);
  if (readU32(b, entry.localHeaderOffset) !== LOCAL_SIGNATURE) throw corrupt(`local header of "${entry.name}" is missing`, entry.name);
  const start = entry.localHeaderOffset + 30 + readU16(b, entry.localHeaderOffset + 26) + readU16(b, entry.localHeaderOffset + 28);
  need(b, start, entry.compressedSize, `data of "${entry.name}"`);
  const compressed = b.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === STORED) {
    if (entry.compressedSize !== entry.uncompressedSize) {
      throw corrupt(`stored entry "${entry.name}" declares ${entry.compressedSize} bytes stored but ${entry.uncompressedSize} uncompressed`, entry.name);
    }
    data = compressed.slice();
  } else if (entry.method === DEFLATED) {
    data = inflateBounded(compressed, entry);
  } else {
    throw corrupt(`entry "${entry.name}" uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`, entry.name);
  }
  const crc = crc32(data);
  if (crc !== entry.crc32) {
    throw corrupt(`entry "${entry.name}" fails its CRC-32 check (0x${crc.toString(16)} != 0x${entry.crc32.toString(16)}): the file is corrupt`, entry.name);
  }
  return data;
}

function inflateBounded(compressed: Uint8Array, entry: ZipEntry): Uint8Array {
  const out = new Uint8Array(entry.uncompressedSize);
  let written = 0;
  let finished = false;
  const inflater = new Inflate((chunk, final) => {
    if (written + chunk.length > out.length) {
      throw corrupt(`entry "${entry.name}" inflates past its declared ${entry.uncompressedSize} bytes (a zip bomb or a corrupt file)`, entry.name);
    }
    out.set(chunk, written);
    written += chunk.length;
    if (final) finished = true;
  });
  try {
    for (let at = 0; at < compressed.length; at += INFLATE_STEP) {
      const end = Math.min(compressed.length, at + INFLATE_STEP);
      inflater.push(compressed.subarray(at, end), end === compressed.length);
    }
    if (compressed.length === 0) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw corrupt(`entry "${entry.name}" does not inflate (${error instanceof Error ? error.message : String(error)}): the file is truncated or corrupt`, entry.name);
  }
  if (!finished || written !== out.length) {
    throw corrupt(`entry "${entry.name}" inflates to ${written} bytes, but its header declares ${entry.uncompressedSize}`, entry.name);
  }
  return out;
}

let crcTable: Uint32Array | undefined;

function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
