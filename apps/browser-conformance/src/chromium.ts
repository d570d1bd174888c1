import { existsSync } from 'node:fs';
import type { Availability } from '@rnn/core';
import { BackendError } from '@rnn/core';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Debian's Chromium; playwright's own browser downloads are never used. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for headless Chromium in tests: WebGPU on (on a machine without a GPU Chromium offers its
 * SwiftShader adapter, a real WebGPU implementation), and no background traffic to Google services.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Whether the browser backends can run here at all (Chromium is installed); never throws. */
export function chromiumAvailability(executablePath: string = DEFAULT_CHROMIUM): Availability {
  return existsSync(executablePath)
    ? { ok: true, detail: `Chromium at ${executablePath}` }
    : {
        ok: false,
        reason: `Chromium not found at ${executablePath}; the browser backends run in headless Chromium (on Debian: apt-get install chromium libvulkan1)`,
      };
}

/** Launches headless Chromium with `CHROMIUM_ARGS`; a missing binary is a `BackendError` saying how to install it. */
export async function launchChromium(executablePath: string = DEFAULT_CHROMIUM): Promise<Browser> {
  const availability = chromiumAvailability(executablePath);
  if (!availability.ok) throw new BackendError(availability.reason, { field: 'executablePath', actual: executablePath });
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
