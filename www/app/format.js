// Number formatting for readouts and messages (locale from the current language).
import { getLang } from './i18n.js';

const locale = () => (getLang() === 'ko' ? 'ko-KR' : 'en-US');

/**
 * 0.8 → "80.0%".
 * @param {number | undefined | null} x
 * @param {number} [digits]
 */
export function pct(x, digits = 1) {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

/**
 * 1204 → "1,204".
 * @param {number | undefined | null} n
 */
export function int(n) {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString(locale());
}

/**
 * A short real number: 0.01234 → "0.0123".
 * @param {number | undefined | null} x
 * @param {number} [digits]
 */
export function num(x, digits = 3) {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  return Number(x.toPrecision(digits)).toLocaleString(locale(), { maximumSignificantDigits: digits });
}

/**
 * Layer densities as "80% / 76% / 90%".
 * @param {number[] | undefined} xs
 */
export function pctList(xs) {
  return (xs ?? []).map((x) => pct(x, 0)).join(' / ');
}

/**
 * A lottery level's headline accuracy: the test accuracy at its early-stopping epoch (least
 * validation loss), or, with no validation split, the final test accuracy. The test set never
 * picks the epoch.
 * @param {{ earlyStopTestAccuracy?: number | null, testAccuracy: number }} r
 */
export function headlineAccuracy(r) {
  return r.earlyStopTestAccuracy ?? r.testAccuracy;
}
