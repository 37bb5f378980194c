import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DecoderFailure } from '../errors.js';
import { findExecutable, run } from '../exec.js';
import { useHalfSize, type DecodeRequest, type DecodedRaw, type EmbeddedPreview, type RawDecoder, type RawInfo } from './types.js';

export interface NativeDecoderOptions {
  /** dcraw_emu binary (name looked up on PATH, or a path). Default 'dcraw_emu'. */
  dcrawEmu?: string;
  /** raw-identify binary, used to size the image cheaply before choosing half-size. Default 'raw-identify'. */
  rawIdentify?: string;
  /** simple_dcraw binary, used to extract embedded previews (`-e`). Default 'simple_dcraw'. */
  simpleDcraw?: string;
  timeoutMs?: number;
}

/** Lines in dcraw_emu's stderr that mean the decode failed (it exits 0 regardless). */
const FAILURE_PATTERNS = [/Cannot (open|unpack|decode|process)/i, /Unsupported file format/i, /not RAW file/i, /out of memory/i, /Unexpected end of file/i, /Input\/output error/i];

/** LibRaw's own command-line tools (Debian `libraw-bin`, LibRaw 0.20). */
export class NativeRawDecoder implements RawDecoder {
  readonly name = 'dcraw_emu' as const;
  private readonly opts: Required<NativeDecoderOptions>;

  constructor(opts: NativeDecoderOptions = {}) {
    this.opts = {
      dcrawEmu: opts.dcrawEmu ?? 'dcraw_emu',
      rawIdentify: opts.rawIdentify ?? 'raw-identify',
      simpleDcraw: opts.simpleDcraw ?? 'simple_dcraw',
      timeoutMs: opts.timeoutMs ?? 120_000,
    };
  }

  async available(): Promise<boolean> {
    return (await findExecutable(this.opts.dcrawEmu)) !== null;
  }

  /** Size and shooting data from `raw-identify -v`; null when LibRaw cannot open the file. */
  async identify(filePath: string): Promise<RawInfo | null> {
    const bin = await findExecutable(this.opts.rawIdentify);
    if (!bin) return null;
    const r = await run(bin, ['-v', filePath], { timeoutMs: 30_000 });
    return parseRawIdentify(r.stdout.toString('utf8'));
  }

  async decode(filePath: string, req: DecodeRequest): Promise<DecodedRaw> {
    const bin = await findExecutable(this.opts.dcrawEmu);
    if (!bin) throw new DecoderFailure(this.name, 'unavailable', `${this.opts.dcrawEmu} is not installed`);
    const info = await this.identify(filePath).catch(() => null);
    const half = useHalfSize(info, req.needLongEdge);
    const args = [req.whiteBalance === 'auto' ? '-a' : '-w', ...(req.bitDepth === 16 ? ['-6'] : []), '-T', '-Z', '-'];
    if (half) args.push('-h');
    args.push(filePath);
    const r = await run(bin, args, { timeoutMs: this.opts.timeoutMs });
    const stderr = r.stderr.trim();
    const validTiff = r.stdout.length > 8 && ['II*\0', 'MM\0*'].includes(r.stdout.toString('latin1', 0, 4));
    if (r.signal) throw new DecoderFailure(this.name, 'output', `dcraw_emu was killed (${r.signal}), probably by the time limit`);
    if (!validTiff) {
      const stage = /Cannot open|Unsupported file format|not RAW file/i.test(stderr) ? 'open' : 'unpack';
      throw new DecoderFailure(this.name, stage, stripPath(stderr, filePath) || 'dcraw_emu produced no image');
    }
    let width: number;
    let height: number;
    try {
      const m = await sharp(r.stdout).metadata();
      width = m.width;
      height = m.height;
    } catch (e) {
      throw new DecoderFailure(this.name, 'output', `dcraw_emu output is not a readable TIFF: ${(e as Error).message}`);
    }
    // A TIFF came out; stderr lines (even failure-looking ones) become warnings, and the blank check judges the pixels.
    const warnings = stderr ? [`dcraw_emu: ${stripPath(stderr, filePath)}`] : [];
    if (FAILURE_PATTERNS.some((p) => p.test(stderr))) warnings.push('dcraw_emu reported an error but still wrote an image');
    return { decoder: this.name, pixels: { kind: 'encoded', data: r.stdout }, width, height, halfSize: half, info, warnings };
  }

  async extractPreview(filePath: string): Promise<EmbeddedPreview | null> {
    const bin = await findExecutable(this.opts.simpleDcraw);
    if (!bin) return null;
    // simple_dcraw -e writes FILE.thumb.jpg next to its input: give it a symlink in a private temp dir.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'revela-preview-'));
    try {
      const link = path.join(dir, 'input' + path.extname(filePath));
      await symlink(path.resolve(filePath), link);
      await run(bin, ['-e', link], { timeoutMs: 30_000, cwd: dir });
      const jpg = (await readdir(dir)).find((f) => f.endsWith('.thumb.jpg'));
      if (!jpg) return null; // none, or only a bitmap thumbnail (.thumb.ppm)
      const jpeg = await readFile(path.join(dir, jpg));
      const m = await sharp(jpeg).metadata().catch(() => null);
      if (!m?.width || !m.height) return null;
      const swap = (m.orientation ?? 1) >= 5;
      return { jpeg, width: swap ? m.height : m.width, height: swap ? m.width : m.height, extractor: 'simple_dcraw' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function stripPath(text: string, filePath: string): string {
  return text.split(filePath).join(path.basename(filePath)).replace(/\s+/g, ' ').trim();
}

export function parseRawIdentify(text: string): RawInfo | null {
  const line = (label: string) => {
    const m = new RegExp(`^${label}:\\s*(.*)$`, 'm').exec(text);
    return m?.[1]?.trim();
  };
  const size = (label: string) => {
    const m = /(\d+)\s*x\s*(\d+)/.exec(line(label) ?? '');
    return m ? { w: Number(m[1]), h: Number(m[2]) } : undefined;
  };
  const out = size('Output size') ?? size('Image size');
  if (!out) return null;
  const info: RawInfo = { width: out.w, height: out.h, cfa: /^Filter pattern:/m.test(text) };
  const norm = /^Normalized Make\/Model: =([^/]*)\/([^=]*)=/m.exec(text);
  if (norm) {
    info.make = norm[1]!.trim() || undefined;
    info.model = norm[2]!.trim() || undefined;
  }
  const iso = Number(line('ISO speed'));
  if (iso > 0) info.iso = iso;
  const sh = /^1\/([\d.]+)$/.exec(line('Shutter') ?? '');
  const shutter = sh ? 1 / Number(sh[1]) : Number((line('Shutter') ?? '').replace(/\s*sec$/, ''));
  if (shutter > 0 && Number.isFinite(shutter)) info.exposureTime = shutter;
  const ap = Number((line('Aperture') ?? '').replace('f/', ''));
  if (ap > 0) info.fNumber = ap;
  const fl = Number.parseFloat(line('Focal length') ?? '');
  if (fl > 0) info.focalLength = fl;
  const ts = line('Timestamp');
  if (ts) {
    const d = new Date(ts + ' UTC');
    if (!Number.isNaN(d.getTime()) && d.getTime() > 0) info.timestamp = d;
  }
  const thumb = size('Thumb size');
  if (thumb) {
    info.thumbWidth = thumb.w;
    info.thumbHeight = thumb.h;
  }
  return info;
}
