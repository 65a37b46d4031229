import { useEffect, useRef } from 'react';
import { toRgba } from '../../data/class-images';

/** One stored image, drawn at its stored size and scaled by CSS. */
export function PixelCanvas({
  pixels,
  width,
  height,
  channels,
  label,
}: {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  label?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const rgba = toRgba(pixels, channels);
    context.putImageData(new ImageData(rgba, width, height), 0, 0);
  }, [pixels, width, height, channels]);
  return (
    <canvas
      ref={canvas}
      width={width}
      height={height}
      {...(label && { role: 'img', 'aria-label': label, title: label })}
    />
  );
}
