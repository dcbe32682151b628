/** A memory file as found on disk. */
export interface MemoryFileContent {
  exists: boolean;
  /** Empty when the file does not exist. */
  content: string;
}

/** Reads and writes memory files. The filesystem adapter writes atomically (temp file, fsync, rename). */
export interface MemoryFileStore {
  /** Throws MEMORY_FILE_NOT_TEXT when the file is not valid UTF-8. */
  read(path: string): Promise<MemoryFileContent>;
  /** Replaces the file's content atomically, creating parent directories as needed. */
  write(path: string, content: string): Promise<void>;
  /** Removes the file (used when rolling back to a version where it did not exist). */
  remove(path: string): Promise<void>;
}
