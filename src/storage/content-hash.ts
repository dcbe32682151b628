/**
 * The content hash of memory versions, shared by every Store adapter so they agree byte for byte.
 */
import { createHash } from 'node:crypto';

/** sha256 (lowercase hex) of the UTF-8 bytes of `content`, as recorded in `MemoryVersion.contentHash`. */
export function hashContent(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
