export type RawDecodeErrorCode =
  | 'unsupported-format' // no decoder could open the file
  | 'truncated' // opened, but the image data could not be unpacked / decoded to a blank picture
  | 'no-preview' // source 'embedded-preview' or fallback wanted, but there is none
  | 'decoder-unavailable'
  | 'decode-failed';

/** A file that cannot be turned into renditions. `message` is readable and safe to show to users. */
export class RawDecodeError extends Error {
  override readonly name = 'RawDecodeError';
  constructor(
    message: string,
    readonly code: RawDecodeErrorCode,
    /** Decoder diagnostics (stderr lines, exception text) in the order they happened. */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Failure of one decoder; internal, turned into a RawDecodeError by developRaw. */
export class DecoderFailure extends Error {
  constructor(
    readonly decoder: string,
    /** 'limit': stopped by the sandbox (time, CPU, memory, output size). */
    readonly stage: 'unavailable' | 'open' | 'unpack' | 'output' | 'limit',
    message: string,
  ) {
    super(message);
  }
}
