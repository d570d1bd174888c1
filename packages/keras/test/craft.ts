import * as h5wasm from 'h5wasm';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

/** Test helpers that build modified model files (the fixtures themselves are read-only). */

/** Rebuilds a `.keras` zip with some entries replaced (`null` removes one). */
export function rezip(keras: Uint8Array, replace: Record<string, Uint8Array | string | null>): Uint8Array {
  const entries: Zippable = {};
  for (const [name, data] of Object.entries(unzipSync(keras))) entries[name] = [data, { level: 0 }];
  for (const [name, data] of Object.entries(replace)) {
    if (data === null) delete entries[name];
    else entries[name] = [typeof data === 'string' ? strToU8(data) : data, { level: 0 }];
  }
  return zipSync(entries);
}

export function zipEntry(keras: Uint8Array, name: string): Uint8Array {
  const entry = unzipSync(keras, { filter: (file) => file.name === name })[name];
  if (!entry) throw new Error(`no ${name} in the zip`);
  return entry;
}

let counter = 0;

/** Opens a copy of an HDF5 file for writing with h5wasm, applies `edit`, and returns the new bytes. */
export async function editH5(bytes: Uint8Array, edit: (file: h5wasm.File) => void): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const name = `/craft-${++counter}.h5`;
  module.FS.writeFile(name, bytes);
  const file = new h5wasm.File(name, 'a');
  try {
    edit(file);
  } finally {
    file.close();
  }
  const out = module.FS.readFile(name) as Uint8Array;
  module.FS.unlink(name);
  return out;
}

/** Replaces a string attribute (deletes and recreates it). */
export function setAttribute(file: h5wasm.File, path: string, name: string, value: string): void {
  const target = path === '/' ? file : (file.get(path) as h5wasm.Group);
  if (name in target.attrs) target.delete_attribute(name);
  target.create_attribute(name, value);
}

/** Offset of the central-directory record of `name` in a zip (to patch what it declares). */
export function centralRecordOffset(zip: Uint8Array, name: string): number {
  const target = new TextEncoder().encode(name);
  for (let at = zip.length - 46; at >= 0; at--) {
    if (zip[at] !== 0x50 || zip[at + 1] !== 0x4b || zip[at + 2] !== 0x01 || zip[at + 3] !== 0x02) continue;
    const nameLength = zip[at + 28] | (zip[at + 29] << 8);
    if (nameLength === target.length && target.every((b, i) => zip[at + 46 + i] === b)) return at;
  }
  throw new Error(`no central record for ${name}`);
}

export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, value, true);
}

/** Zips entries with deflate (the fixtures store theirs uncompressed). */
export function deflatedZip(entries: Record<string, Uint8Array>): Uint8Array {
  const input: Zippable = {};
  for (const [name, data] of Object.entries(entries)) input[name] = [data, { level: 6 }];
  return zipSync(input);
}

export function indexOfText(bytes: Uint8Array, text: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text);
}
