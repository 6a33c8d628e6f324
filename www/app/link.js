// The page's link: the experiment lives in the URL fragment (`#data=spiral&steps=train,prune`),
// which the browser never sends to a server (as TF Playground does), so a long step log is not
// cut by a server's or a host's URL limit. Query links (`?data=…`) of earlier versions are still
// read. A short step log stays readable; a long one is compressed: `steps=~` + base64url of its
// deflate-raw bytes (CompressionStream, built into Chromium, Firefox and Safari).

/** Step logs longer than this are compressed in the link. */
export const COMPRESS_ABOVE = 1000;
/** Largest inflated step log read from a link (a hostile link cannot make the page inflate more). */
const MAX_INFLATED = 200_000;

/**
 * The link's parameters: the fragment's when it has any, else the query's.
 * @param {Location} [loc]
 */
export function readLink(loc = location) {
  const hash = loc.hash.slice(1);
  return new URLSearchParams(hash.includes('=') ? hash : loc.search);
}

/** @param {Uint8Array} bytes */
function toBase64url(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {string} text */
function fromBase64url(text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * Runs bytes through a (de)compression stream, stopping past `cap` output bytes.
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {CompressionStream | DecompressionStream} stream
 * @param {number} [cap]
 */
async function through(bytes, stream, cap = Infinity) {
  const reader = new Blob([bytes]).stream().pipeThrough(stream).getReader();
  /** @type {Uint8Array[]} */
  const parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > cap) {
      await reader.cancel();
      throw new Error(`longer than ${cap} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The `steps=` value for a link: as it is when short (or when the browser cannot compress),
 * else `~` + base64url(deflate-raw).
 * @param {string} steps
 */
export async function compactSteps(steps) {
  if (steps.length <= COMPRESS_ABOVE || typeof CompressionStream !== 'function') return steps;
  try {
    const packed = `~${toBase64url(await through(new TextEncoder().encode(steps), new CompressionStream('deflate-raw')))}`;
    return packed.length < steps.length ? packed : steps;
  } catch {
    return steps; // a browser without 'deflate-raw': the link stays long but complete
  }
}

/**
 * A link's `steps=` value as text: compressed values are inflated; a broken one is a problem.
 * @param {string} value
 * @returns {Promise<{ steps: string, problem: string | null }>}
 */
export async function expandSteps(value) {
  if (!value.startsWith('~')) return { steps: value, problem: null };
  try {
    const bytes = await through(fromBase64url(value.slice(1)), new DecompressionStream('deflate-raw'), MAX_INFLATED);
    return { steps: new TextDecoder('utf-8', { fatal: true }).decode(bytes), problem: null };
  } catch (err) {
    return { steps: '', problem: `steps: the compressed step log cannot be read (${err instanceof Error ? err.message : String(err)}); no step is replayed` };
  }
}

/**
 * Writes the link: the page's path and the experiment in the fragment (no query).
 * @param {string} query
 */
export function writeLink(query) {
  history.replaceState(null, '', `${location.pathname}${query ? `#${query}` : ''}`);
}
