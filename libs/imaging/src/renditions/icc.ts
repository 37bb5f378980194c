/**
 * Recognises ICC profiles that are sRGB in all but name (the HP/Microsoft "sRGB IEC61966-2.1",
 * Android's and Apple's sRGB, ...), by comparing colorants and tone curves rather than names.
 * Transforming sRGB to sRGB costs about a third of a 24 MP render, so such profiles are skipped.
 */

/** sRGB primaries adapted to the ICC D50 PCS, as written in rXYZ/gXYZ/bXYZ. */
const SRGB_COLORANTS: Readonly<Record<string, readonly [number, number, number]>> = {
  rXYZ: [0.4361, 0.2225, 0.0139],
  gXYZ: [0.3851, 0.7169, 0.0971],
  bXYZ: [0.1431, 0.0606, 0.7141],
};
const COLORANT_TOLERANCE = 0.003;
const TRC_SAMPLES = [0.02, 0.1, 0.25, 0.5, 0.75, 0.95];
const TRC_TOLERANCE = 0.001; // tight enough to tell a plain gamma 2.2 curve from sRGB
/** Any of these makes lcms prefer a lookup table over the matrix/TRC model. */
const LUT_TAGS = ['A2B0', 'A2B1', 'A2B2', 'B2A0', 'D2B0'];

function srgbToLinear(value: number): number {
  return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

function s15Fixed16(icc: Buffer, offset: number): number {
  return icc.readInt32BE(offset) / 65536;
}

type Curve = (x: number) => number;

function readCurve(icc: Buffer, offset: number, size: number): Curve | null {
  const type = icc.toString('latin1', offset, offset + 4);
  if (type === 'curv') {
    const count = icc.readUInt32BE(offset + 8);
    if (size < 12 + count * 2) return null;
    if (count === 0) return (x) => x;
    if (count === 1) {
      const gamma = icc.readUInt16BE(offset + 12) / 256;
      return (x) => x ** gamma;
    }
    const table = Array.from({ length: count }, (_, i) => icc.readUInt16BE(offset + 12 + i * 2) / 65535);
    return (x) => {
      const position = x * (count - 1);
      const i = Math.min(Math.floor(position), count - 2);
      return table[i] + (table[i + 1] - table[i]) * (position - i);
    };
  }
  if (type === 'para') {
    const fn = icc.readUInt16BE(offset + 8);
    const arity = [1, 3, 4, 5, 7][fn];
    if (arity === undefined || size < 12 + arity * 4) return null;
    const [g = 1, a = 1, b = 0, c = 0, d = 0, e = 0, f = 0] = Array.from({ length: arity }, (_, i) => s15Fixed16(icc, offset + 12 + i * 4));
    switch (fn) {
      case 0:
        return (x) => x ** g;
      case 1:
        return (x) => (x >= -b / a ? (a * x + b) ** g : 0);
      case 2:
        return (x) => (x >= -b / a ? (a * x + b) ** g + c : c);
      case 3:
        return (x) => (x >= d ? (a * x + b) ** g : c * x);
      default:
        return (x) => (x >= d ? (a * x + b) ** g + e : c * x + f);
    }
  }
  return null;
}

export function isSrgbProfile(icc: Buffer | undefined): boolean {
  if (!icc || icc.length < 132) return false;
  try {
    if (icc.toString('latin1', 16, 20) !== 'RGB ' || icc.toString('latin1', 20, 24) !== 'XYZ ') return false;
    const tags = new Map<string, { offset: number; size: number }>();
    const count = icc.readUInt32BE(128);
    for (let i = 0; i < count; i++) {
      const at = 132 + i * 12;
      const offset = icc.readUInt32BE(at + 4);
      const size = icc.readUInt32BE(at + 8);
      if (offset + size > icc.length) return false;
      tags.set(icc.toString('latin1', at, at + 4), { offset, size });
    }
    if (LUT_TAGS.some((tag) => tags.has(tag))) return false;

    for (const [tag, expected] of Object.entries(SRGB_COLORANTS)) {
      const entry = tags.get(tag);
      if (!entry || entry.size < 20 || icc.toString('latin1', entry.offset, entry.offset + 4) !== 'XYZ ') return false;
      for (let axis = 0; axis < 3; axis++) {
        if (Math.abs(s15Fixed16(icc, entry.offset + 8 + axis * 4) - expected[axis]) > COLORANT_TOLERANCE) return false;
      }
    }
    for (const tag of ['rTRC', 'gTRC', 'bTRC']) {
      const entry = tags.get(tag);
      const curve = entry && readCurve(icc, entry.offset, entry.size);
      if (!curve) return false;
      if (TRC_SAMPLES.some((x) => Math.abs(curve(x) - srgbToLinear(x)) > TRC_TOLERANCE)) return false;
    }
    return true;
  } catch {
    return false;
  }
}
