import { useEffect, useState } from 'react';
import type { StoredImage } from '../../data/split-images';
import { useEval } from '../eval-store';
import { PixelCanvas } from './PixelCanvas';

/** A validation image by split index, read from the shard store. */
export function EvalCrop({
  index,
  label,
  size = 'small',
}: {
  index: number;
  label: string;
  size?: 'small' | 'large';
}) {
  const image = useEval((s) => s.image);
  const [loaded, setLoaded] = useState<{
    index: number;
    image: StoredImage | null;
    error: string | null;
  } | null>(null);
  useEffect(() => {
    let live = true;
    image(index).then(
      (img) => live && setLoaded({ index, image: img, error: null }),
      (e: Error) => live && setLoaded({ index, image: null, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [image, index]);

  const shown = loaded?.index === index ? loaded : null;
  return (
    <figure className={`eval-crop eval-crop-${size}`} data-index={index}>
      {shown?.image ? (
        <PixelCanvas {...shown.image} label={label} />
      ) : (
        <div className="eval-crop-missing" title={shown?.error ?? undefined}>
          {shown?.error ? 'not stored' : '…'}
        </div>
      )}
      <figcaption>{label}</figcaption>
    </figure>
  );
}
