// The pure parts of the import's image step, in Node: format sniffing,
// whole-file checks, box clamping and the keep-aspect placement.
import { describe, expect, test } from 'vitest';
import {
  cropRect,
  ImageSkip,
  inspectImage,
  placeCrop,
  rgbaToRgb,
} from '../../src/data/import/image';

/** A minimal JPEG: SOI, a SOF0 frame header of w x h, SOS, data, EOI. */
function jpeg(width: number, height: number, end = true): Uint8Array {
  const sof = [0xff, 0xc0, 0, 11, 8, height >> 8, height & 255];
  sof.push(width >> 8, width & 255, 1, 1, 0x11, 0);
  const sos = [0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0];
  const data = [0x12, 0x34, 0xff, 0x00, 0x56];
  return Uint8Array.from([
    0xff,
    0xd8,
    ...sof,
    ...sos,
    ...data,
    ...(end ? [0xff, 0xd9] : []),
  ]);
}

describe('inspectImage', () => {
  test('reads a JPEG frame size and accepts a whole file', () => {
    expect(inspectImage(jpeg(640, 480))).toEqual({
      format: 'jpeg',
      width: 640,
      height: 480,
    });
  });

  test('refuses a JPEG cut before its end marker', () => {
    expect(() => inspectImage(jpeg(64, 48, false))).toThrow(
      /truncated JPEG: no end-of-image marker/,
    );
    expect(() => inspectImage(jpeg(64, 48).slice(0, 12))).toThrow(
      /truncated JPEG: it ends at byte 12/,
    );
  });

  test('names what came when the bytes are no image', () => {
    const text = new TextEncoder().encode('fname,x1\n');
    expect(() => inspectImage(text)).toThrow(ImageSkip);
    expect(() => inspectImage(text)).toThrow(
      /expected JPEG, PNG, GIF, WebP, BMP or AVIF bytes, got bytes 66 6e 61 6d/,
    );
    expect(() => inspectImage(new Uint8Array(0))).toThrow(/an empty file/);
  });
});

describe('cropRect', () => {
  test('reads boxes as 1-based and inclusive', () => {
    const box = { x1: 11, y1: 8, x2: 60, y2: 47 };
    expect(cropRect(box, 80, 60)).toEqual({
      x: 10,
      y: 7,
      width: 50,
      height: 40,
    });
  });

  test('clamps to the image, and skips a box that misses it', () => {
    const box = { x1: 0, y1: 10, x2: 120, y2: 45 };
    expect(cropRect(box, 90, 50)).toEqual({
      x: 0,
      y: 9,
      width: 90,
      height: 36,
    });
    expect(() =>
      cropRect({ x1: 100, y1: 100, x2: 120, y2: 120 }, 64, 48),
    ).toThrow(/lies outside the 64 x 48 image/);
    expect(cropRect(null, 7, 5)).toEqual({ x: 0, y: 0, width: 7, height: 5 });
  });
});

test('keep-aspect centres the scaled crop; squash fills the square', () => {
  const crop = { x: 0, y: 0, width: 200, height: 100 };
  expect(placeCrop(crop, 224, 'keep-aspect')).toEqual({
    x: 0,
    y: 56,
    width: 224,
    height: 112,
  });
  expect(placeCrop(crop, 224, 'squash')).toEqual({
    x: 0,
    y: 0,
    width: 224,
    height: 224,
  });
});

test('RGBA becomes RGB in HWC order', () => {
  const rgba = Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 0]);
  expect([...rgbaToRgb(rgba)]).toEqual([1, 2, 3, 4, 5, 6]);
});
