/** Why an upload was refused; `message` is safe to show to clinic staff. */
export type RejectionCode = 'unsupported-format' | 'too-large' | 'corrupt' | 'decoder-unavailable';

/**
 * The input cannot be rendered. The message is a short, user-facing reason
 * ("image data is truncated or corrupt"); the underlying decoder error, if any,
 * is kept in `cause` for logs.
 */
export class ImageRejectedError extends Error {
  override readonly name = 'ImageRejectedError';

  constructor(
    readonly code: RejectionCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
