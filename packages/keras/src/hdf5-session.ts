import type * as H5wasm from 'h5wasm';

/**
 * What a model file's HDF5 part looks like once walked: groups with the few attributes Keras uses,
 * and datasets with their declared shape and type (their data is read separately, on demand).
 */
export type AttributeValue = string | number | readonly (string | number)[] | null;

export interface Hdf5Dataset {
  readonly kind: 'dataset';
  readonly path: string;
  readonly shape: readonly number[];
  /** `float32`, `float64`, or a description of what else it holds (never read then). */
  readonly dtype: string;
}

export interface Hdf5Group {
  readonly kind: 'group';
  readonly path: string;
  readonly attrs: Readonly<Record<string, AttributeValue>>;
  readonly children: Readonly<Record<string, Hdf5Node>>;
}

export type Hdf5Node = Hdf5Group | Hdf5Dataset;

export interface Hdf5WalkOptions {
  /** Groups and datasets walked at most (a corrupt file may loop through links). */
  readonly maxObjects: number;
  /** Bytes of one attribute's raw value. */
  readonly maxAttributeBytes: number;
  /** Root groups not walked (optimizer state). */
  readonly skipRootGroups: readonly string[];
  /** Attributes read (others are ignored): the Keras ones. */
  readonly attributePattern: string;
}

/** One open file at a time: walk it, read some of its datasets, close it. Errors are plain Errors. */
export interface Hdf5Session {
  open(bytes: Uint8Array, options: Hdf5WalkOptions): Hdf5Group;
  /** Float32 copies of the datasets at `paths` (each checked to be a float dataset of at most `maxBytes` in total). */
  read(paths: readonly string[], maxBytes: number): Float32Array[];
  close(): void;
}

export type H5wasmApi = Pick<typeof H5wasm, 'File'>;
export type H5Module = typeof H5wasm.Module;

/**
 * Builds a session on an initialised h5wasm module. It reads through h5wasm's low-level calls so
 * that every HDF5 status is checked (the high-level getters ignore read failures and return
 * whatever memory held), and captures HDF5's diagnostic stack (normally printed to stderr) to put
 * its innermost reason into the error message.
 *
 * This function must stay self-contained (no references outside its body): the Node entry runs it
 * inside a worker thread from its source text, so a corrupt file that makes HDF5 loop forever can
 * be stopped by terminating the worker.
 */
export function createHdf5Session(api: H5wasmApi, module: H5Module): Hdf5Session {
  const H5T_INTEGER = 0;
  const H5T_FLOAT = 1;
  const H5T_STRING = 3;
  let file: InstanceType<H5wasmApi['File']> | null = null;
  let fileName = '';
  let sessionCount = 0;
  let diagnostics = '';
  /** Dataset metadata from the walk, reused by reads (each lookup costs a millisecond or more). */
  type Metadata = ReturnType<H5Module['get_dataset_metadata']>;
  const datasets = new Map<string, Metadata>();

  function withDiagnostics<T>(what: string, action: () => T): T {
    type Tty = { ops: { put_char(tty: unknown, value: number | null): void } };
    const stderr = (module.FS as unknown as { getStream(fd: number): { tty?: Tty } | null }).getStream(2);
    const saved = stderr?.tty?.ops;
    if (stderr?.tty && saved) {
      // Capped: a corrupt file could make HDF5 report errors in a loop until the worker is stopped.
      const capture = (value: number | null) => value !== null && diagnostics.length < 65_536 && (diagnostics += String.fromCharCode(value));
      stderr.tty.ops = { ...saved, put_char: (_tty, value) => void capture(value) };
    }
    diagnostics = '';
    try {
      return action();
    } catch (error) {
      const reason = innermostReason(diagnostics);
      const message = error instanceof Error ? error.message : String(error);
      const wrapped = new Error(`${what}: ${message}${reason && !message.includes(reason) ? ` (HDF5: ${reason})` : ''}`);
      wrapped.name = error instanceof Error ? error.name : 'Error';
      throw wrapped;
    } finally {
      if (stderr?.tty && saved) stderr.tty.ops = saved;
    }
  }

  /** `#006: .../H5Fsuper.c line 388 in H5F__super_read(): file signature not found` → `file signature not found`. */
  function innermostReason(text: string): string {
    const frames = text.split('\n').filter((line) => /^\s*#\d+:/.test(line));
    const last = frames[frames.length - 1];
    if (!last) return '';
    const at = last.indexOf('(): ');
    return (at >= 0 ? last.slice(at + 4) : last).trim();
  }

  function fileId(): bigint {
    if (!file) throw new Error('no HDF5 file is open');
    return file.file_id;
  }

  function childPath(parent: string, name: string): string {
    return parent === '/' ? `/${name}` : `${parent}/${name}`;
  }

  function describeType(meta: { type: number; size: number; vlen: boolean }): string {
    if (meta.type === H5T_FLOAT && (meta.size === 4 || meta.size === 8)) return meta.size === 4 ? 'float32' : 'float64';
    const names: Record<number, string> = { 0: 'integer', 1: 'float', 3: 'string', 6: 'compound', 7: 'reference', 8: 'enum', 9: 'vlen', 10: 'array' };
    return `${names[meta.type] ?? `type ${meta.type}`} of ${meta.size} bytes`;
  }

  function checkedShape(shape: readonly number[] | null, where: string): number[] {
    if (!shape) throw new Error(`${where} has no dataspace`);
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${where} declares dimension ${String(d)}`);
    }
    return [...shape];
  }

  function decodeString(bytes: Uint8Array): string {
    const end = bytes.indexOf(0);
    return new TextDecoder('utf-8', { fatal: false }).decode(end >= 0 ? bytes.subarray(0, end) : bytes);
  }

  function readAttribute(path: string, name: string, maxBytes: number): { value: AttributeValue } {
    const id = fileId();
    const meta = module.get_attribute_metadata(id, path, name);
    const shape = checkedShape(meta.shape, `attribute ${path}@${name}`);
    const count = shape.reduce((a, b) => a * b, 1);
    const nbytes = meta.size * count;
    if (nbytes > maxBytes) throw new Error(`attribute ${path}@${name} declares ${nbytes} bytes, over the limit of ${maxBytes}`);
    if (count === 0) return { value: [] };
    if (meta.type !== H5T_STRING && meta.type !== H5T_INTEGER && meta.type !== H5T_FLOAT) return { value: null };
    const pointer = module._malloc(Math.max(nbytes, 1));
    if (pointer === 0) throw new Error(`cannot allocate ${nbytes} bytes for attribute ${path}@${name}`);
    try {
      const status = module.get_attribute_data(id, path, name, BigInt(pointer));
      if (status < 0) throw new Error(`cannot read attribute ${path}@${name}`);
      const raw = module.HEAPU8.slice(pointer, pointer + nbytes);
      const view = new DataView(raw.buffer);
      const values: (string | number)[] = [];
      for (let i = 0; i < count; i++) {
        if (meta.type === H5T_STRING && meta.vlen) {
          const address = view.getUint32(i * meta.size, true);
          values.push(address === 0 ? '' : module.UTF8ToString(address));
        } else if (meta.type === H5T_STRING) {
          values.push(decodeString(raw.subarray(i * meta.size, (i + 1) * meta.size)));
        } else if (meta.type === H5T_FLOAT && meta.size === 8) {
          values.push(view.getFloat64(i * 8, true));
        } else if (meta.type === H5T_FLOAT && meta.size === 4) {
          values.push(view.getFloat32(i * 4, true));
        } else if (meta.type === H5T_INTEGER && meta.size <= 4) {
          values.push(meta.size === 4 ? view.getInt32(i * 4, true) : meta.size === 2 ? view.getInt16(i * 2, true) : view.getInt8(i));
        } else if (meta.type === H5T_INTEGER && meta.size === 8) {
          values.push(Number(view.getBigInt64(i * 8, true)));
        } else {
          return { value: null };
        }
      }
      if (meta.type === H5T_STRING && meta.vlen) module.reclaim_vlen_memory(id, path, name, BigInt(pointer));
      return { value: shape.length === 0 ? values[0] : values };
    } finally {
      module._free(pointer);
    }
  }

  function walk(options: Hdf5WalkOptions): Hdf5Group {
    const pattern = new RegExp(options.attributePattern);
    let objects = 0;
    const visit = (path: string): Hdf5Group => {
      const id = fileId();
      const attrs: Record<string, AttributeValue> = Object.create(null);
      for (const name of module.get_attribute_names(id, path) ?? []) {
        if (pattern.test(name)) attrs[name] = readAttribute(path, name, options.maxAttributeBytes).value;
      }
      const children: Record<string, Hdf5Node> = Object.create(null);
      for (const name of module.get_names(id, path, false) ?? []) {
        if (path === '/' && options.skipRootGroups.includes(name)) continue;
        if (++objects > options.maxObjects) throw new Error(`more than ${options.maxObjects} groups and datasets (a corrupt file or links that loop)`);
        const child = childPath(path, name);
        const type = module.get_type(id, child);
        if (type === module.H5G_GROUP) {
          children[name] = visit(child);
        } else if (type === module.H5G_DATASET) {
          const meta = module.get_dataset_metadata(id, child);
          datasets.set(child, meta);
          children[name] = { kind: 'dataset', path: child, shape: checkedShape(meta.shape, `dataset ${child}`), dtype: describeType(meta) };
        }
        // Named datatypes, broken or external links hold no weights: not part of the walk.
      }
      return { kind: 'group', path, attrs, children };
    };
    return visit('/');
  }

  function walkedDataset(path: string): Metadata {
    const meta = datasets.get(path);
    if (!meta) throw new Error(`${path} is not a dataset of this file`);
    return meta;
  }

  function readDataset(path: string): Float32Array {
    const id = fileId();
    const meta = walkedDataset(path);
    const shape = checkedShape(meta.shape, `dataset ${path}`);
    if (meta.type !== H5T_FLOAT || (meta.size !== 4 && meta.size !== 8)) throw new Error(`dataset ${path} holds ${describeType(meta)}, not float32/float64`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (meta.chunks) {
      // HDF5 allocates whole chunks while reading: a huge declared chunk must not get that far.
      const chunk = meta.chunks.reduce((a, b) => a * b, 1) * meta.size;
      if (!(chunk <= Math.max(count * meta.size, 1) * 2 + 1024 * 1024)) throw new Error(`dataset ${path} declares chunks of ${chunk} bytes for ${count} values`);
    }
    const nbytes = count * meta.size;
    if (count === 0) return new Float32Array(0);
    const pointer = module._malloc(nbytes);
    if (pointer === 0) throw new Error(`cannot allocate ${nbytes} bytes for dataset ${path}`);
    try {
      const status = module.get_dataset_data(id, path, null, null, null, BigInt(pointer));
      if (status < 0) throw new Error(`cannot read dataset ${path}`);
      const raw = module.HEAPU8.slice(pointer, pointer + nbytes);
      return meta.size === 4 ? new Float32Array(raw.buffer) : Float32Array.from(new Float64Array(raw.buffer));
    } finally {
      module._free(pointer);
    }
  }

  function close(): void {
    datasets.clear();
    if (file) {
      const open = file;
      file = null;
      try {
        open.close();
      } finally {
        try {
          module.FS.unlink(fileName);
        } catch {
          // Already gone: nothing to clean.
        }
      }
    }
  }

  return {
    open(bytes, options) {
      close();
      return withDiagnostics('cannot read the HDF5 file', () => {
        fileName = `/rnn-keras-${++sessionCount}.h5`;
        module.FS.writeFile(fileName, bytes);
        const opened = new api.File(fileName, 'r');
        if (!(opened.file_id >= 0n)) {
          try {
            module.FS.unlink(fileName);
          } catch {
            // Nothing to clean.
          }
          throw new Error('not an HDF5 file, or its superblock is corrupt');
        }
        file = opened;
        try {
          return walk(options);
        } catch (error) {
          close();
          throw error;
        }
      });
    },
    read(paths, maxBytes) {
      return withDiagnostics('cannot read HDF5 weights', () => {
        let total = 0;
        for (const path of paths) {
          const meta = walkedDataset(path);
          total += checkedShape(meta.shape, `dataset ${path}`).reduce((a, b) => a * b, 1) * meta.size;
          if (total > maxBytes) throw new Error(`datasets to read exceed ${maxBytes} bytes (at ${path})`);
        }
        return paths.map(readDataset);
      });
    },
    close() {
      withDiagnostics('cannot close the HDF5 file', close);
    },
  };
}
