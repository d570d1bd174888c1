import { BackendError } from '@rnn/core';
import type { KernelExports } from './abi.js';

const PAGE_BYTES = 65536;
/** Address 0 means "no buffer" to the kernels, so allocations start above it. */
const FIRST_ADDRESS = 64;
/** Every buffer starts 16-byte aligned, for the kernels' f32x4 loads. */
const ALIGNMENT = 16;

/**
 * The memory of one kernel instance: weights stored once at compile time at the bottom, then a
 * scratch area that every sequence run reuses from its start. Memory grows on demand and never
 * shrinks.
 */
export class KernelHeap {
  private weightsEnd = FIRST_ADDRESS;
  private scratchEnd = FIRST_ADDRESS;
  private view: Float32Array;

  constructor(readonly kernels: KernelExports) {
    this.view = new Float32Array(kernels.memory.buffer);
  }

  /**
   * The whole memory as floats (index = byte address / 4). Growing the memory detaches this view,
   * so take it after a run's allocations.
   */
  get floats(): Float32Array {
    return this.view;
  }

  /** Stores `data` for the life of the model (weights); only before the first scratch allocation. */
  store(data: Float32Array): number {
    if (this.scratchEnd !== this.weightsEnd) throw new BackendError('cpu:wasm: weights must be stored before the first run');
    const address = this.reserve(this.weightsEnd, data.length * 4);
    this.weightsEnd = this.scratchEnd = address + alignedBytes(data.length * 4);
    this.floats.set(data, address / 4);
    return address;
  }

  /** Frees all scratch buffers (the previous run's results must have been copied out). */
  resetScratch(): void {
    this.scratchEnd = this.weightsEnd;
  }

  /** A scratch buffer of `bytes` bytes, valid until the next `resetScratch`; its contents are undefined. */
  scratch(bytes: number): number {
    const address = this.reserve(this.scratchEnd, bytes);
    this.scratchEnd = address + alignedBytes(bytes);
    return address;
  }

  private reserve(address: number, bytes: number): number {
    const end = address + alignedBytes(bytes);
    const size = this.view.byteLength;
    if (end > size) {
      this.kernels.memory.grow(Math.ceil((end - size) / PAGE_BYTES));
      this.view = new Float32Array(this.kernels.memory.buffer);
    }
    return address;
  }
}

function alignedBytes(bytes: number): number {
  return Math.ceil(bytes / ALIGNMENT) * ALIGNMENT;
}
