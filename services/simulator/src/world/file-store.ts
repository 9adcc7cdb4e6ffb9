/**
 * What the network keeps of files besides their listing (world/group-files.ts, private-files.ts): the bytes, once per
 * content (by md5) however many files name them, the private files, and the permanent space
 * the network gives a group when it is not the default.
 *
 * Content arrives on the upload channel (`PUT /media/file/<md5>.file`, checked against its
 * md5) before the upload op names it. Content no file names is kept as long as room allows
 * (a retried upload finds it); the oldest goes first when the store would grow past its cap,
 * and content a file still names is never dropped — when only such content is left, the upload
 * is refused.
 */
import { createHash } from 'node:crypto';
import { SimError } from '@cqfleet/sim-client';

/** A file sent to a friend. */
export interface PrivateFile {
  file_id: string;
  file_name: string;
  file_size: number;
  /** The content's md5; absent for a file uploaded without its bytes (control API). */
  md5?: string;
  from: number;
  to: number;
  time: number;
}

/** Largest content one upload carries (the upload channel's own limit). */
export const MAX_FILE_UPLOAD_BYTES = 256 * 1024 * 1024;
/** File content kept in memory at most. */
export const MAX_FILE_STORE_BYTES = 1024 * 1024 * 1024;
/** Private files kept; the oldest go first. */
const MAX_PRIVATE_FILES = 10_000;

const md5Of = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

export class FileStore {
  /** Content by md5, least recently used first. */
  private readonly blobs = new Map<string, Buffer>();
  private kept = 0;
  /** The content of group files uploaded with their bytes, by file id. */
  readonly groupContent = new Map<string, { group_id: number; md5: string }>();
  /** Private files by id, oldest first. */
  readonly privateFiles = new Map<string, PrivateFile>();
  /** A group's permanent space (bytes) when the network set one (control API). */
  readonly space = new Map<number, number>();

  constructor(private readonly maxBytes = MAX_FILE_STORE_BYTES) {}

  /** True when the network has this content; a look counts as a use. */
  has(md5: string): boolean {
    const b = this.blobs.get(md5);
    if (b) this.touch(md5, b);
    return b !== undefined;
  }

  bytes(md5: string): Buffer | undefined {
    return this.blobs.get(md5);
  }

  /**
   * Stores uploaded content under its md5 (which must be the bytes'). `live` gives the md5s
   * files still name, which are never dropped to make room.
   */
  put(md5: string, bytes: Buffer, live: () => Set<string>): void {
    if (md5Of(bytes) !== md5)
      throw new SimError('BAD_REQUEST', 'the content does not match its md5');
    const had = this.blobs.get(md5);
    if (had) {
      this.touch(md5, had);
      return;
    }
    if (bytes.length > this.maxBytes)
      throw new SimError(
        'FILE_SYSTEM_UPLOAD_API_ERROR',
        'the file is larger than the network stores',
      );
    if (this.kept + bytes.length > this.maxBytes) {
      const keep = live();
      for (const [key, b] of this.blobs) {
        if (this.kept + bytes.length <= this.maxBytes) break;
        if (keep.has(key)) continue;
        this.blobs.delete(key);
        this.kept -= b.length;
      }
      if (this.kept + bytes.length > this.maxBytes)
        throw new SimError(
          'FILE_SYSTEM_UPLOAD_API_ERROR',
          'the network has no room for more files',
        );
    }
    this.blobs.set(md5, bytes);
    this.kept += bytes.length;
  }

  /** Fails unless the network holds `md5` with exactly `size` bytes (what an upload op names). */
  require(md5: string, size: number): void {
    const b = this.blobs.get(md5);
    if (!b)
      throw new SimError(
        'FILE_SYSTEM_UPLOAD_API_ERROR',
        `no uploaded content ${md5}: upload it first`,
      );
    if (b.length !== size)
      throw new SimError(
        'FILE_SYSTEM_UPLOAD_API_ERROR',
        `the content ${md5} has ${b.length} bytes, not ${size}`,
      );
    this.touch(md5, b);
  }

  addPrivate(file: PrivateFile): void {
    this.privateFiles.set(file.file_id, file);
    if (this.privateFiles.size > MAX_PRIVATE_FILES)
      this.privateFiles.delete(this.privateFiles.keys().next().value!);
  }

  private touch(md5: string, b: Buffer): void {
    this.blobs.delete(md5);
    this.blobs.set(md5, b);
  }
}
