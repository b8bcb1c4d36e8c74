import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { MissingToolError } from '../../src/tools/find-tool.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium driven by playwright-core (no browser download). The background-networking
 * switches keep it from reaching for Google's hosts, which this machine's network refuses.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new MissingToolError(`chromium is not installed; run scripts/setup (it installs Debian's chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
