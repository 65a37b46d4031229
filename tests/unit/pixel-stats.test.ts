import { describe, expect, it } from 'vitest';
import {
  PixelMoments,
  measurePixelStats,
  sampleShardIndices,
} from '../../src/data/pixel-stats';
import type { DatasetManifest, ShardRecord } from '../../src/data/schema';
import { createRng } from '../../src/lib/random';

function randomPixels(n: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
}

/** Mean and std per channel the two-pass way, on 0..1. */
function twoPass(pixels: Uint8Array, channels: number) {
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    const values = Array.from(pixels.filter((_, i) => i % channels === c));
    const m = values.reduce((a, v) => a + v / 255, 0) / values.length;
    const v =
      values.reduce((a, x) => a + (x / 255 - m) ** 2, 0) / values.length;
    mean.push(m);
    std.push(Math.sqrt(v));
  }
  return { mean, std };
}

describe('PixelMoments', () => {
  it('matches a two-pass mean and std per channel, added in pieces', () => {
    const pixels = randomPixels(3 * 5000, 7);
    const moments = new PixelMoments(3);
    moments.add(pixels.subarray(0, 3 * 1234));
    moments.add(pixels.subarray(3 * 1234));
    const got = moments.stats();
    const want = twoPass(pixels, 3);
    for (let c = 0; c < 3; c++) {
      expect(got.mean[c]).toBeCloseTo(want.mean[c]!, 12);
      expect(got.std[c]).toBeCloseTo(want.std[c]!, 10);
    }
    // Channels are kept apart: a shifted channel shows in its own mean.
    const shifted = pixels.map((v, i) => (i % 3 === 1 ? v >> 1 : v));
    const half = new PixelMoments(3);
    half.add(shifted);
    expect(half.stats().mean[1]).toBeLessThan(got.mean[1]! * 0.6);
    expect(half.stats().mean[0]).toBe(got.mean[0]);
  });

  it('refuses pixels that are not whole pixels, and an empty sample', () => {
    const moments = new PixelMoments(3);
    expect(() => moments.add(new Uint8Array(4))).toThrow(
      'expected a multiple of 3 pixel values, got 4',
    );
    expect(() => moments.stats()).toThrow('expected at least one pixel');
  });
});

describe('sampleShardIndices', () => {
  it('reads every shard of a small split', () => {
    expect(sampleShardIndices(3)).toEqual([0, 1, 2]);
    expect(sampleShardIndices(0)).toEqual([]);
  });

  it('spreads 16 shards over a large split, first and last included', () => {
    const picked = sampleShardIndices(128);
    expect(picked).toHaveLength(16);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBe(127);
    expect(new Set(picked).size).toBe(16);
    const gaps = picked.slice(1).map((v, i) => v - picked[i]!);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
  });
});

describe('measurePixelStats', () => {
  const manifest = (numShards: number) =>
    ({
      name: 'tiny',
      channels: 1,
      splits: { train: { numShards, numImages: numShards * 2 } },
    }) as unknown as DatasetManifest;
  const shard = (index: number, values: number[]): ShardRecord => ({
    dataset: 'tiny',
    split: 'train',
    index,
    numImages: 2,
    pixels: Uint8Array.from(values),
    labels: new Uint16Array(2),
  });

  it('pools the sampled shards, and leaves a constant channel unscaled', async () => {
    const shards = [shard(0, [0, 255]), shard(1, [0, 255])];
    const reader = {
      getShard: async (_: string, __: 'train', i: number) => shards[i],
    };
    const stats = await measurePixelStats(reader, manifest(2));
    expect(stats.mean[0]).toBeCloseTo(0.5, 12);
    expect(stats.std[0]).toBeCloseTo(0.5, 12);
    const flat = { getShard: async () => shard(0, [51, 51]) };
    expect(await measurePixelStats(flat, manifest(1))).toEqual({
      mean: [0.2],
      std: [1],
    });
  });

  it('names a shard the store does not have', async () => {
    const reader = { getShard: async () => undefined };
    await expect(measurePixelStats(reader, manifest(2))).rejects.toThrow(
      'expected train shard 0 of "tiny", found none',
    );
  });
});
