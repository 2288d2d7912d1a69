/**
 * Headless Chromium through playwright-core, launched the one way that works
 * here as root and offline: no sandbox, no GPU (WebGL2 through SwiftShader,
 * which NiiVue needs), no background network, a fresh empty profile.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';

/** Where Chromium is expected (Debian package `chromium`); BRAINALIGN_CHROMIUM overrides. */
export function chromiumPath(): string {
  return process.env.BRAINALIGN_CHROMIUM ?? '/usr/bin/chromium';
}

/** True when the Chromium executable exists. */
export function hasChromium(): boolean {
  try {
    fs.accessSync(chromiumPath(), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface Browser {
  context: BrowserContext;
  /** Closes Chromium and removes its temporary profile. */
  close(): Promise<void>;
}

/** Launches headless Chromium with a new empty profile; resolves to a context and its closer. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'brainalign-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_ARGS,
      deviceScaleFactor: 1,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
    return {
      context,
      async close() {
        await context.close();
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
