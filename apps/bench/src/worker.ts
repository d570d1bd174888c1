import { describeError } from './host.js';
import type { WorkerReply, WorkerRequest } from './host.js';
import { SessionPool } from './pool.js';
import { runnerByName } from './runners/index.js';

/** A child process holding one runner's sessions for one shape; driven by `ProcessHost` over IPC. */

let pool: SessionPool | null = null;

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      pool = new SessionPool(await runnerByName(request.runner).load());
      return null;
    case 'prepare':
      return requirePool().prepare(request.problem, request.warmup);
    case 'time':
      return requirePool().time(request.key, request.calls);
    case 'close':
      await pool?.close();
      pool = null;
      return null;
  }
}

function requirePool(): SessionPool {
  if (!pool) throw new Error('worker: runner not started');
  return pool;
}

function reply(message: WorkerReply, then?: () => void): void {
  process.send!(message, undefined, undefined, () => then?.());
}

// Requests arrive one at a time (the host awaits each), so timed calls never overlap other work.
process.on('message', (request: WorkerRequest) => {
  const then = request.op === 'close' ? () => process.exit(0) : undefined;
  handle(request).then(
    (value) => reply({ id: request.id, ok: true, value }, then),
    (error: unknown) => reply({ id: request.id, ok: false, error: describeError(error) }, then),
  );
});
process.on('disconnect', () => process.exit(0));
