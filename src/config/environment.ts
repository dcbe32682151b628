/** The process environment, read here so that `config/` stays the only place that touches `process.env`. */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
