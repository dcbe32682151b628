import { describe } from 'vitest';

import { runStoreContract } from '../store.contract.js';
import { createInMemoryStore } from './in-memory-store.js';

describe('InMemoryStore', () => {
  runStoreContract({ name: 'in-memory', createStore: () => createInMemoryStore() });
});
