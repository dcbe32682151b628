/** The time, injected so the core stays deterministic. */
export interface Clock {
  now(): Date;
}

/** Fresh ids (proposal ids, run ids), injected for the same reason. */
export interface IdGenerator {
  /** A new id starting with `prefix`, e.g. `p-3f9a1c2d`. */
  next(prefix: string): string;
}
