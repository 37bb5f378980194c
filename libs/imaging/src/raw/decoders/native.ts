import { constants, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DecoderFailure } from '../errors.js';
import { findExecutable, type RunResult } from '../exec.js';
import { DEFAULT_LIMITS, defaultSandbox, type Sandbox, type SandboxLimits, type StagedInput } from '../sandbox.js';
import {
  FULL_SIZE_DEMOSAIC,
  useHalfSize,
  type DecodeRequest,
  type DecodedRaw,
  type EmbeddedPreview,
  type RawDecoder,
  type RawInfo,
} from './types.js';

export interface NativeDecoderOptions {
  /** dcraw_emu binary (name looked up on PATH, or a path). Default 'dcraw_emu'. */
  dcrawEmu?: string;
  /** raw-identify binary, used to size the image cheaply before choosing half-size. Default 'raw-identify'. */
  rawIdentify?: string;
  /** simple_dcraw binary, used to extract embedded previews (`-e`). Default 'simple_dcraw'. */
  simpleDcraw?: string;
  /** Wall-clock limit of one dcraw_emu run. Default 120 s. */
  timeoutMs?: number;
  /** Resource limits of every tool run (defaults: DEFAULT_LIMITS; raw-identify and simple_dcraw get at most 1 MiB of stdout). */
  limits?: Partial<SandboxLimits>;
  /** The sandbox the tools run in. Default: the process-wide one, detected on first use. */
  sandbox?: Sandbox;
}

/** Lines in dcraw_emu's stderr that mean the decode failed (it exits 0 regardless). */
const FAILURE_PATTERNS = [
  /Cannot (open|unpack|decode|process)/i,
  /Unsupported file format/i,
  /not RAW file/i,
  /out of memory/i,
  /Unexpected end of file/i,
  /Input\/output error/i,
];

const SMALL_STDOUT = 1024 * 1024;

/** LibRaw's own command-line tools (Debian `libraw-bin`, LibRaw 0.20), run in the sandbox. */
export class NativeRawDecoder implements RawDecoder {
  readonly name = 'dcraw_emu' as const;
  private readonly opts: Required<Omit<NativeDecoderOptions, 'limits' | 'sandbox'>>;
  private readonly limits: SandboxLimits;
  private readonly smallLimits: SandboxLimits;
  private readonly sandbox: () => Promise<Sandbox>;

  constructor(opts: NativeDecoderOptions = {}) {
    this.opts = {
      dcrawEmu: opts.dcrawEmu ?? 'dcraw_emu',
      rawIdentify: opts.rawIdentify ?? 'raw-identify',
      simpleDcraw: opts.simpleDcraw ?? 'simple_dcraw',
      timeoutMs: opts.timeoutMs ?? 120_000,
    };
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.smallLimits = { ...this.limits, stdoutBytes: Math.min(this.limits.stdoutBytes, SMALL_STDOUT) };
    const given = opts.sandbox;
    this.sandbox = given ? () => Promise.resolve(given) : defaultSandbox;
  }

  async available(): Promise<boolean> {
    return (await findExecutable(this.opts.dcrawEmu)) !== null;
  }

  /** Size and shooting data from `raw-identify -v`; null when LibRaw cannot open the file. */
  async identify(filePath: string): Promise<RawInfo | null> {
    const sandbox = await this.sandbox();
    const input = await sandbox.stage(filePath);
    try {
      return await this.identifyStaged(sandbox, input);
    } finally {
      await input.dispose();
    }
  }

  private async identifyStaged(sandbox: Sandbox, input: StagedInput): Promise<RawInfo | null> {
    const bin = await findExecutable(this.opts.rawIdentify);
    if (!bin) return null;
    const r = await sandbox.run(bin, ['-v', input.path], { limits: this.smallLimits, timeoutMs: 30_000, cwd: input.dir });
    if (sandbox.describeStop(r, this.smallLimits, 30_000)) return null;
    return parseRawIdentify(r.stdout.toString('utf8'));
  }

  async decode(filePath: string, req: DecodeRequest): Promise<DecodedRaw> {
    const bin = await findExecutable(this.opts.dcrawEmu);
    if (!bin) throw new DecoderFailure(this.name, 'unavailable', `${this.opts.dcrawEmu} is not installed`);
    const sandbox = await this.sandbox();
    const input = await sandbox.stage(filePath);
    let info: RawInfo | null;
    let half: boolean;
    let r: RunResult;
    try {
      info = await this.identifyStaged(sandbox, input).catch(() => null);
      half = useHalfSize(info, req.needLongEdge);
      const args = [req.whiteBalance === 'auto' ? '-a' : '-w', ...(req.bitDepth === 16 ? ['-6'] : []), '-T', '-Z', '-'];
      args.push(...(half ? ['-h'] : ['-q', String(FULL_SIZE_DEMOSAIC)]));
      args.push(input.path);
      r = await sandbox.run(bin, args, { limits: this.limits, timeoutMs: this.opts.timeoutMs, cwd: input.dir });
    } finally {
      await input.dispose();
    }
    const stopped = sandbox.describeStop(r, this.limits, this.opts.timeoutMs);
    if (stopped) throw new DecoderFailure(this.name, stopped.limit ? 'limit' : 'unpack', `dcraw_emu was ${stopped.reason}`);
    const stderr = stripPath(r.stderr.trim(), input.path, filePath);
    const validTiff = r.stdout.length > 8 && ['II*\0', 'MM\0*'].includes(r.stdout.toString('latin1', 0, 4));
    if (!validTiff) {
      const stage = /Cannot open|Unsupported file format|not RAW file/i.test(stderr) ? 'open' : 'unpack';
      throw new DecoderFailure(this.name, stage, stderr || 'dcraw_emu produced no image');
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
    const warnings = stderr ? [`dcraw_emu: ${stderr}`] : [];
    if (FAILURE_PATTERNS.some((p) => p.test(stderr))) warnings.push('dcraw_emu reported an error but still wrote an image');
    return { decoder: this.name, pixels: { kind: 'encoded', data: r.stdout }, width, height, halfSize: half, info, warnings };
  }

  async extractPreview(filePath: string): Promise<EmbeddedPreview | null> {
    const bin = await findExecutable(this.opts.simpleDcraw);
    if (!bin) return null;
    const sandbox = await this.sandbox();
    // simple_dcraw -e writes FILE.thumb.jpg next to its input, i.e. into the staging directory.
    const input = await sandbox.stage(filePath);
    try {
      const r = await sandbox.run(bin, ['-e', input.path], { limits: this.smallLimits, timeoutMs: 30_000, cwd: input.dir });
      if (sandbox.describeStop(r, this.smallLimits, 30_000)) return null;
      const jpg = (await readdir(input.dir)).find((f) => f.endsWith('.thumb.jpg'));
      if (!jpg) return null; // none, or only a bitmap thumbnail (.thumb.ppm)
      const jpeg = await readOwnFile(path.join(input.dir, jpg), this.limits.fileSizeBytes);
      if (!jpeg) return null;
      const m = await sharp(jpeg)
        .metadata()
        .catch(() => null);
      if (!m?.width || !m.height) return null;
      const swap = (m.orientation ?? 1) >= 5;
      return { jpeg, width: swap ? m.height : m.width, height: swap ? m.width : m.height, extractor: 'simple_dcraw' };
    } finally {
      await input.dispose();
    }
  }
}

/**
 * Read a file the sandboxed tool wrote. The directory is the tool's: what is there may be a symlink to
 * some file of ours, or a FIFO that blocks forever, so take only a regular file, not through a link.
 */
async function readOwnFile(file: string, maxBytes: number): Promise<Buffer | null> {
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > maxBytes) return null;
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Diagnostics name the file by the caller's base name, not by the staging path. */
function stripPath(text: string, stagedPath: string, filePath: string): string {
  return text.split(stagedPath).join(path.basename(filePath)).replace(/\s+/g, ' ').trim();
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
    info.make = norm[1].trim() || undefined;
    info.model = norm[2].trim() || undefined;
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
