// One image from encoded bytes to stored pixels: sniff the format, check
// that the file is whole, clamp the box to the image, crop and resize with
// createImageBitmap (off the main thread: this runs in the import Worker),
// then read RGB HWC bytes back from an OffscreenCanvas.
//
// The header parsing and the geometry are pure and tested in Node; only
// decodeCrop needs a browser.
import { describeFailure } from '../errors';
import type { Box } from './plan';
import type { ImageFit } from './types';

/** A rectangle in image pixels, 0-based, end exclusive. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Why an image cannot be stored; the message goes into the report. */
export class ImageSkip extends Error {
  override readonly name = 'ImageSkip';
}

type Format = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'avif';

function startsWith(bytes: Uint8Array, ...prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

export function sniffFormat(bytes: Uint8Array): Format | null {
  if (startsWith(bytes, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (startsWith(bytes, 0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (ascii(bytes, 0, 4) === 'GIF8') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') {
    return 'webp';
  }
  if (ascii(bytes, 0, 2) === 'BM') return 'bmp';
  if (ascii(bytes, 4, 4) === 'ftyp') return 'avif';
  return null;
}

function u16be(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u32be(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | u16be(bytes, at + 2)) >>> 0
  );
}

// SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are
// in the same range but are not frames.
function isStartOfFrame(marker: number): boolean {
  return (
    marker >= 0xc0 &&
    marker <= 0xcf &&
    marker !== 0xc4 &&
    marker !== 0xc8 &&
    marker !== 0xcc
  );
}

/**
 * Size of a JPEG from its frame header, and whether the file is whole:
 * a whole file has an end-of-image marker after its first scan (entropy
 * coded data never holds FF D9, so finding one means the scan ended).
 */
function inspectJpeg(bytes: Uint8Array): { width: number; height: number } {
  let size: { width: number; height: number } | null = null;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) {
      throw new ImageSkip(`corrupt JPEG: expected a marker at byte ${at}`);
    }
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = u16be(bytes, at + 2);
    if (isStartOfFrame(marker) && at + 9 <= bytes.length) {
      size = { height: u16be(bytes, at + 5), width: u16be(bytes, at + 7) };
    }
    if (marker === 0xda) {
      if (size === null) {
        throw new ImageSkip('corrupt JPEG: a scan before any frame header');
      }
      for (let i = bytes.length - 2; i >= at + 2 + length; i--) {
        if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return size;
      }
      throw new ImageSkip(
        `truncated JPEG: no end-of-image marker in its ${bytes.length} bytes`,
      );
    }
    at += 2 + length;
  }
  throw new ImageSkip(
    `truncated JPEG: it ends at byte ${bytes.length}, before its first scan`,
  );
}

function inspectPng(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') {
    throw new ImageSkip('corrupt PNG: expected an IHDR chunk first');
  }
  const tail = ascii(bytes, Math.max(0, bytes.length - 64), 64);
  if (!tail.includes('IEND')) {
    throw new ImageSkip(
      `truncated PNG: no IEND chunk at the end of its ${bytes.length} bytes`,
    );
  }
  return { width: u32be(bytes, 16), height: u32be(bytes, 20) };
}

/**
 * Checks the bytes are an image of a known format and, for JPEG and PNG,
 * that the file is whole. Returns the size when the header gives it.
 */
export function inspectImage(bytes: Uint8Array): {
  format: Format;
  width?: number;
  height?: number;
} {
  const format = sniffFormat(bytes);
  if (format === null) {
    const head = [...bytes.subarray(0, 4)]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join(' ');
    throw new ImageSkip(
      'not an image: expected JPEG, PNG, GIF, WebP, BMP or AVIF bytes, ' +
        `got ${bytes.length === 0 ? 'an empty file' : `bytes ${head} ...`}`,
    );
  }
  if (format === 'jpeg') return { format, ...inspectJpeg(bytes) };
  if (format === 'png') return { format, ...inspectPng(bytes) };
  return { format };
}

/**
 * The pixels a 1-based, inclusive box covers, clamped to a width x height
 * image: crop at (x1 - 1, y1 - 1), size (x2 - x1 + 1) x (y2 - y1 + 1).
 * No box means the whole image. Throws ImageSkip when nothing is left.
 */
export function cropRect(box: Box | null, width: number, height: number): Rect {
  if (box === null) return { x: 0, y: 0, width, height };
  const x0 = Math.max(0, Math.round(box.x1) - 1);
  const y0 = Math.max(0, Math.round(box.y1) - 1);
  const x1 = Math.min(width, Math.round(box.x2));
  const y1 = Math.min(height, Math.round(box.y2));
  if (x1 <= x0 || y1 <= y0) {
    throw new ImageSkip(
      `box (${box.x1}, ${box.y1})-(${box.x2}, ${box.y2}) lies outside the ` +
        `${width} x ${height} image`,
    );
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Where a crop lands in the size x size output: all of it ('squash'), or
 * scaled to fit with its aspect ratio kept and centred ('keep-aspect'; the
 * rest stays black).
 */
export function placeCrop(crop: Rect, size: number, fit: ImageFit): Rect {
  if (fit === 'squash') return { x: 0, y: 0, width: size, height: size };
  const scale = size / Math.max(crop.width, crop.height);
  const width = Math.max(1, Math.min(size, Math.round(crop.width * scale)));
  const height = Math.max(1, Math.min(size, Math.round(crop.height * scale)));
  return {
    x: Math.floor((size - width) / 2),
    y: Math.floor((size - height) / 2),
    width,
    height,
  };
}

/** RGBA (canvas order) to RGB, HWC. */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array): Uint8Array {
  const n = rgba.length / 4;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = rgba[i * 4]!;
    rgb[i * 3 + 1] = rgba[i * 4 + 1]!;
    rgb[i * 3 + 2] = rgba[i * 4 + 2]!;
  }
  return rgb;
}

/** Reusable canvas for decodeCrop; one per Worker. */
export class CropCanvas {
  private canvas: OffscreenCanvas | null = null;
  private context: OffscreenCanvasRenderingContext2D | null = null;

  get(size: number): OffscreenCanvasRenderingContext2D {
    if (this.canvas?.width !== size || this.context === null) {
      this.canvas = new OffscreenCanvas(size, size);
      this.context = this.canvas.getContext('2d', { willReadFrequently: true });
      if (this.context === null) {
        throw new Error(
          'expected a 2d context on an OffscreenCanvas, got none',
        );
      }
    }
    return this.context;
  }
}

/**
 * Decodes `bytes`, crops them to `box` and resizes the crop to size x size.
 * Returns size * size * 3 bytes of RGB. Throws ImageSkip for an image that
 * cannot be stored (not an image, truncated, box outside it).
 */
export async function decodeCrop(
  bytes: Uint8Array,
  box: Box | null,
  size: number,
  fit: ImageFit,
  canvas: CropCanvas,
): Promise<Uint8Array> {
  const header = inspectImage(bytes);
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  let source: Blob | ImageBitmap = blob;
  let { width, height } = header;
  if (width === undefined || height === undefined) {
    source = await decode(blob);
    ({ width, height } = source);
  }
  const crop = cropRect(box, width, height);
  const place = placeCrop(crop, size, fit);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(
      source,
      crop.x,
      crop.y,
      crop.width,
      crop.height,
      {
        resizeWidth: place.width,
        resizeHeight: place.height,
        resizeQuality: 'high',
        imageOrientation: 'none',
      },
    );
  } catch (error) {
    throw new ImageSkip(
      `the ${header.format} image could not be decoded: ${describeFailure(error)}`,
    );
  } finally {
    if (source instanceof ImageBitmap) source.close();
  }
  const context = canvas.get(size);
  context.fillStyle = '#000';
  context.fillRect(0, 0, size, size);
  context.drawImage(bitmap, place.x, place.y);
  bitmap.close();
  return rgbaToRgb(context.getImageData(0, 0, size, size).data);
}

async function decode(blob: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(blob, { imageOrientation: 'none' });
  } catch (error) {
    throw new ImageSkip(
      `the image could not be decoded: ${describeFailure(error)}`,
    );
  }
}
