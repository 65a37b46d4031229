// Run before the browser tests: exits with one line saying how to install
// a Chromium when none is found, instead of a failure in every test file.
import { findChromium } from './browser';

try {
  findChromium();
} catch (error) {
  console.error(`browser tests: ${(error as Error).message}`);
  process.exit(1);
}
