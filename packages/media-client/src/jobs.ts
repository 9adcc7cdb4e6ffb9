/**
 * Jobs the media service runs besides the media actions (whose job name is the action name).
 * Session workers add them after resolving what only the QQ side knows (a received image's
 * URL), so the heavy work (downloads, OCR, conversion) happens on the media workers.
 */
export interface InternalJobs {
  /** Fetches a URL into the cache under `name` (a received media name): `{file, size}`. */
  'media.fetch': { args: { url: string; name: string }; result: { file: string; size: number } };
  /**
   * OCR of an image given by URL, base64 data or a local `file` (a path or `file://`, read
   * only under the media workers' file roots). `payload` is set by MediaClient, never by
   * callers: the id of the image's bytes, which it took out of `base64` (payloads.ts).
   */
  'media.ocr': {
    args: { url?: string; base64?: string; file?: string; payload?: string };
    result: {
      texts: Array<{
        text: string;
        confidence: number;
        coordinates: Array<{ x: number; y: number }>;
      }>;
      language: string;
    };
  };
  /** A received voice fetched and converted to `out_format`: `{file}`. */
  'media.record': {
    args: { url: string; name: string; out_format: string };
    result: { file: string };
  };
  /**
   * Media a client sends, made ready for the QQ side: loaded from its source, checked against
   * the seed's limits, named by its content's md5 and uploaded to `upload` (the QQ side's
   * upload URL) unless the QQ side has it already. A `base64://` file is taken out of the job
   * by MediaClient: `file` becomes the bare `base64://` and `payload` names the stored bytes.
   * With `inline`, the checked bytes come back beside the result (`payload`, taken by
   * MediaClient.inline): what an upstream implementation is handed instead of a path or URL.
   * `file` is any file (a group file to upload): no checks but its size.
   */
  'media.prepare': {
    args: {
      kind: 'image' | 'video' | 'record' | 'cover' | 'file';
      file: string;
      /** Set by MediaClient, never by callers (payloads.ts). */
      payload?: string;
      cache?: boolean;
      threads?: number;
      upload?: string;
      /** Return the bytes (MediaClient.inline); no larger than `maxBytes` when given. */
      inline?: boolean;
      maxBytes?: number;
    };
    result: {
      name: string;
      md5: string;
      size: number;
      format?: string;
      width?: number;
      height?: number;
      frames?: number;
      uploaded: boolean;
      /** With `inline`: the id of the bytes (payloads.ts), for MediaClient.inline to take. */
      payload?: string;
    };
  };
}
