// A run card carried in a link's fragment: `#run-card=` and the card's JSON,
// compressed (CompressionStream 'deflate-raw') and written in base64url.
// The fragment never reaches a server. To keep links a length that chat
// tools and address bars take, the step series is thinned further (the
// whole series stays in the card file) until the link fits.
import { thinSteps } from './record';
import { CardError, parseCard, type RunCard } from './card';

export const CARD_PARAM = 'run-card';

/** Characters the fragment aims to stay under. */
export const LINK_BUDGET = 8000;

/** Step points a linked card starts from, before any further thinning. */
export const LINK_STEP_POINTS = 200;

async function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  stream: GenericTransformStream,
) {
  const body = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[\w-]*$/.test(text)) {
    throw new CardError(
      'link: expected base64url text (letters, digits, "-" and "_"), got ' +
        'other characters; was the link cut or changed?',
    );
  }
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  let binary: string;
  try {
    binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  } catch {
    throw new CardError(
      `link: expected base64url text, got ${text.length} characters that ` +
        'do not decode; was the link cut short?',
    );
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pack(card: RunCard): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(card));
  return toBase64Url(await pipe(json, new CompressionStream('deflate-raw')));
}

/**
 * The fragment (without "#") that carries `card`, its steps thinned until
 * it fits LINK_BUDGET or a handful of points are left.
 */
export async function cardFragment(card: RunCard): Promise<string> {
  let steps = thinSteps([], card.steps, LINK_STEP_POINTS);
  let packed = await pack({ ...card, steps });
  while (packed.length > LINK_BUDGET && steps.length > 8) {
    steps = thinSteps([], steps, Math.ceil(steps.length / 2));
    packed = await pack({ ...card, steps });
  }
  return `${CARD_PARAM}=${packed}`;
}

/** The card a fragment (with or without "#") carries; null: none. */
export function fragmentPayload(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get(CARD_PARAM);
}

/** Reads a fragment's card; throws CardError saying what is wrong. */
export async function readCardFragment(payload: string): Promise<RunCard> {
  const bytes = fromBase64Url(payload);
  let json: string;
  try {
    const raw = await pipe(bytes, new DecompressionStream('deflate-raw'));
    json = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new CardError(
      'link: expected a compressed run card, got data that does not ' +
        'inflate; was the link cut short?',
    );
  }
  return parseCard(json);
}
