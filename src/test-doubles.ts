// The `reverie/test` entry point: test doubles for your own tests and adapters.
// Any new export added here becomes public API. Use named exports, not wildcards.
export { InMemoryStore, createInMemoryStore } from './storage/in-memory/in-memory-store.js';
export { InMemoryMemoryFileStore } from './memory-files/in-memory-memory-file-store.js';
export { FixedClock } from './runtime/fixed-clock.js';
export { SequentialIdGenerator } from './runtime/sequential-id-generator.js';
