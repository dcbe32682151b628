/** The identity of a log file at one moment: enough to tell "unchanged", "grown" and "replaced" apart. */
export interface LogFileFingerprint {
  path: string;
  size: number;
  mtimeMs: number;
  /** Hash of the first bytes (up to 4 KiB): a different head means the file was replaced, not appended to. */
  headHash: string;
  /** Bytes the head hash covers. */
  headBytes: number;
  /** The first bytes of the file (up to `textBytes`), decoded as UTF-8, for format detection. */
  headText: string;
}

/** Finds and fingerprints log files on disk. */
export interface LogFiles {
  /** Absolute path of a file, or every file under a directory (recursively, sorted). Throws INGEST_PATH_NOT_FOUND. */
  list(path: string): AsyncIterable<string>;
  /** Size and modification time only: enough to tell that a file did not change, without reading it. */
  stat(path: string): Promise<{ size: number; mtimeMs: number }>;
  /** One open: size, time, the hash of the first `headBytes` (default 4 KiB) and the text of the first `textBytes`. */
  fingerprint(
    path: string,
    options?: { headBytes?: number; textBytes?: number },
  ): Promise<LogFileFingerprint>;
}
