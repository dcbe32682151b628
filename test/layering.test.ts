/**
 * The dependency rules of docs/architecture.md, re-derived from the source. ESLint enforces them too; this test
 * makes sure a disabled rule or a broken resolver cannot switch them off silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcRoot = fileURLToPath(new URL('../src/', import.meta.url));

function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : listFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = listFiles(srcRoot);
const isTest = (file: string): boolean => /\.(test|contract)\.ts$/.test(file);

/** The layer of a file: its top folder under src/, or "root" for src/*.ts. */
function layerOf(file: string): string {
  const relative = path.relative(srcRoot, file);
  return relative.includes(path.sep) ? (relative.split(path.sep)[0] ?? 'root') : 'root';
}

/** For adapters: the folder that is one adapter (`ingest/claude-code`, `storage/sqlite`, `memory-files`). */
function adapterUnitOf(file: string): string {
  const parts = path.relative(srcRoot, file).split(path.sep);
  return parts.length > 2 ? `${parts[0] ?? ''}/${parts[1] ?? ''}` : (parts[0] ?? '');
}

const importPattern =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((match) => match[1] ?? match[2] ?? '');
}

const core = ['mining', 'synthesis', 'review', 'grading', 'memory', 'guard'];
const adapters = ['ingest', 'storage', 'memory-files', 'llm', 'scheduler', 'runtime'];
const drivers = ['cli', 'http', 'mcp'];

/** Which layers each layer may import (besides itself). */
const allowed: Record<string, readonly string[]> = {
  domain: [],
  util: [],
  ports: ['domain'],
  ...Object.fromEntries(core.map((layer) => [layer, ['domain', 'ports', 'util', ...core]])),
  app: ['domain', 'ports', 'util', ...core],
  config: ['domain', 'util'],
  ...Object.fromEntries(adapters.map((layer) => [layer, ['domain', 'ports', 'util']])),
  ...Object.fromEntries(
    drivers.map((layer) => [layer, ['domain', 'util', 'app', 'config', 'root:create-reverie.ts']]),
  ),
};

/** npm packages (and node:) each layer may use; others may use any. */
const allowedPackages: Record<string, RegExp> = {
  domain: /^zod$/,
  ports: /^$/,
  util: /^$/,
  ...Object.fromEntries(core.map((layer) => [layer, /^(diff|zod)$/])),
  app: /^$/,
};

describe('layering', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('imports only what each layer may import', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      if (layer === 'root') continue;
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) {
          const packagePattern = allowedPackages[layer];
          if (packagePattern !== undefined && !isTest(file) && !packagePattern.test(specifier)) {
            offenders.push(`${path.relative(srcRoot, file)} imports package ${specifier}`);
          }
          continue;
        }
        const target = path.resolve(path.dirname(file), specifier);
        const targetLayer = layerOf(target);
        const rules = allowed[layer] ?? [];
        if (targetLayer === layer) {
          if (adapters.includes(layer) && !isTest(file)) {
            const from = adapterUnitOf(file);
            const to = adapterUnitOf(target);
            // Adapters never import each other; shared helpers at the folder root (src/ingest/*.ts) are fine.
            if (from !== to && to.includes('/') && from.includes('/')) {
              offenders.push(`${path.relative(srcRoot, file)} imports another adapter: ${specifier}`);
            }
          }
          continue;
        }
        const name =
          targetLayer === 'root' ? `root:${path.basename(target).replace(/\.js$/, '.ts')}` : targetLayer;
        if (!rules.includes(name)) {
          offenders.push(`${path.relative(srcRoot, file)} (${layer}) imports ${specifier} (${name})`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps process.env in config/, console in cli/ and JSON.parse in util/json.ts', () => {
    const offenders: string[] = [];
    for (const file of files.filter((candidate) => !isTest(candidate))) {
      // Comments may show examples (`console.log` in a JSDoc @example); only code counts.
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      const relative = path.relative(srcRoot, file);
      if (/process\.env\b/.test(text) && layerOf(file) !== 'config')
        offenders.push(`${relative}: process.env`);
      if (/\bconsole\.\w+\(/.test(text) && layerOf(file) !== 'cli') offenders.push(`${relative}: console`);
      if (text.includes('JSON.parse(') && relative !== path.join('util', 'json.ts'))
        offenders.push(`${relative}: JSON.parse`);
      if (
        core.concat('domain').includes(layerOf(file)) &&
        /Date\.now\(|new Date\(\)|Math\.random\(/.test(text)
      ) {
        offenders.push(`${relative}: clock or randomness in the core`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('names files in kebab-case', () => {
    const offenders = files
      .map((file) => path.basename(file))
      .filter((name) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.(test|contract))?\.ts$/.test(name));
    expect(offenders).toEqual([]);
  });
});
