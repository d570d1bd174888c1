import type { Tensor } from '@rnn/core';
import { InputError, sizeOf } from '@rnn/core';

/**
 * Reads a NumPy `.npy` array (format versions 1-3, C order, any integer, bool or float dtype of
 * either byte order) into a float32 tensor, as Keras would receive it.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Reader = (view: DataView, at: number, littleEndian: boolean) => number;

const READERS: Readonly<Record<string, { size: number; read: Reader }>> = {
  f4: { size: 4, read: (v, at, le) => v.getFloat32(at, le) },
  f8: { size: 8, read: (v, at, le) => v.getFloat64(at, le) },
  i1: { size: 1, read: (v, at) => v.getInt8(at) },
  u1: { size: 1, read: (v, at) => v.getUint8(at) },
  b1: { size: 1, read: (v, at) => v.getUint8(at) },
  i2: { size: 2, read: (v, at, le) => v.getInt16(at, le) },
  u2: { size: 2, read: (v, at, le) => v.getUint16(at, le) },
  i4: { size: 4, read: (v, at, le) => v.getInt32(at, le) },
  u4: { size: 4, read: (v, at, le) => v.getUint32(at, le) },
  i8: { size: 8, read: (v, at, le) => Number(v.getBigInt64(at, le)) },
  u8: { size: 8, read: (v, at, le) => Number(v.getBigUint64(at, le)) },
};

function npyError(file: string, message: string): InputError {
  return new InputError(`${file}: ${message}`, { field: 'input' });
}

export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

export function readNpy(bytes: Uint8Array, file: string): Tensor {
  if (!isNpy(bytes) || bytes.length < 10) throw npyError(file, 'not a .npy file (no \\x93NUMPY header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw npyError(file, `.npy format version ${major} is not supported (1 to 3 are)`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw npyError(file, 'the .npy header runs past the end of the file');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));

  const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(header);
  if (!descr) throw npyError(file, `unsupported .npy dtype in header ${header.trim()} (save a plain numeric array)`);
  const reader = READERS[`${descr[2]}${descr[3]}`];
  if (!reader) throw npyError(file, `dtype ${descr[1]}${descr[2]}${descr[3]} is not supported: save the array as float32`);
  if (/'fortran_order'\s*:\s*True/.test(header)) throw npyError(file, 'Fortran-order arrays are not supported: save np.ascontiguousarray(x)');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw npyError(file, 'the .npy header has no shape');
  const shape = shapeText
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw npyError(file, `bad shape (${shapeText})`);

  const count = sizeOf(shape);
  if (dataStart + count * reader.size > bytes.length) {
    throw npyError(file, `shape (${shape.join(', ')}) needs ${count * reader.size} bytes of data, the file holds ${bytes.length - dataStart}`);
  }
  const littleEndian = descr[1] !== '>';
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = reader.read(view, dataStart + i * reader.size, littleEndian);
  return { shape, data };
}
