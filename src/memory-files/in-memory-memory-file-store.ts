import type { MemoryFileContent, MemoryFileStore } from '../ports/memory-file-store.js';

/**
 * Memory files held in a Map: a test double for use-case tests. `failNextWrite` makes the next write throw, to test
 * that a failed write leaves the file and its history unchanged.
 */
export class InMemoryMemoryFileStore implements MemoryFileStore {
  readonly files = new Map<string, string>();
  failNextWrite: Error | null = null;

  read(path: string): Promise<MemoryFileContent> {
    const content = this.files.get(path);
    return Promise.resolve(
      content === undefined ? { exists: false, content: '' } : { exists: true, content },
    );
  }

  write(path: string, content: string): Promise<void> {
    if (this.failNextWrite !== null) {
      const error = this.failNextWrite;
      this.failNextWrite = null;
      return Promise.reject(error);
    }
    this.files.set(path, content);
    return Promise.resolve();
  }

  remove(path: string): Promise<void> {
    this.files.delete(path);
    return Promise.resolve();
  }
}
