/**
 * `npm run eval`: the evaluation of the miners and of dreaming on the real corpora in fixtures/ (Claude Code,
 * aider, tau-bench), offline, in temporary workspaces.
 *
 *   node dist-eval/eval/run-eval.js [--no-write]
 *
 * 1. Labelled findings: a dream over each whole corpus; each miner's findings matched to the labels in
 *    eval/labels/<corpus>.ts; precision and recall per miner against the targets (P >= 0.8, R >= 0.9).
 * 2. Replay: a dream with automatic approval on the earlier part of each corpus; the share of the later part's
 *    recurring tool-error occurrences that an entry of that dream already covered, and the memory it took.
 * 3. Memory growth: four dreams over growing slices, under the default budget and under the smallest one reverie.yaml
 *    accepts; entries, lines and bytes after each, budget kept, hygiene before additions.
 *
 * Prints the result as Markdown and writes it into docs/evaluation.md between its markers (not with --no-write).
 * Exits 1 when a dream went over its budget or added before it merged; missed precision or recall targets are
 * results, reported in the table, not failures of the run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { corpora, repositoryRoot } from './corpora.js';
import type { CorpusUnit } from './corpora.js';
import { evaluateLabels } from './evaluate-labels.js';
import type { LabelEvaluation } from './evaluate-labels.js';
import { growMemory } from './growth.js';
import type { GrowthResult } from './growth.js';
import { growthInvariantsHold, renderEvaluation } from './render-evaluation.js';
import { replay } from './replay.js';
import type { ReplayResult } from './replay.js';
import { defaultBudget } from './workspace.js';

/** The smallest budget reverie.yaml accepts (src/config/config-schema.ts): small enough to bind. */
const smallestBudget = { maxLines: 10, maxBytes: 1_000 };

const beginMarker = '<!-- eval:begin (written by `npm run eval`; edit outside the markers) -->';
const endMarker = '<!-- eval:end -->';

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Puts the generated part between the markers of docs/evaluation.md, keeping everything else. */
function writeDocument(file: string, generated: string): void {
  const block = `${beginMarker}\n\n${generated}\n\n${endMarker}`;
  if (!existsSync(file)) {
    writeFileSync(file, `# Evaluation\n\n${block}\n`);
    return;
  }
  const current = readFileSync(file, 'utf8');
  const begin = current.indexOf('<!-- eval:begin');
  const end = current.indexOf(endMarker);
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error(
      `${file} has no <!-- eval:begin --> … ${endMarker} markers: add them where the results go.`,
    );
  }
  writeFileSync(file, `${current.slice(0, begin)}${block}${current.slice(end + endMarker.length)}`);
}

async function main(): Promise<void> {
  const write = !process.argv.includes('--no-write');
  const started = performance.now();
  const labels: LabelEvaluation[] = [];
  const replays: ReplayResult[] = [];
  const growth: GrowthResult[] = [];
  for (const corpus of corpora) {
    const corpusStarted = performance.now();
    labels.push(await evaluateLabels(corpus));
    const units: CorpusUnit[] = await corpus.loadUnits();
    replays.push(await replay(corpus, units));
    growth.push(
      await growMemory(corpus, units, { budget: defaultBudget, budgetName: 'default', plantCopyAfter: 2 }),
    );
    growth.push(await growMemory(corpus, units, { budget: smallestBudget, budgetName: 'smallest' }));
    process.stderr.write(
      `${corpus.name}: ${((performance.now() - corpusStarted) / 1000).toFixed(1)} s (labelled dreams, replay, 8 growth dreams)\n`,
    );
  }
  const generated = renderEvaluation({ labels, replays, growth });
  print(generated);
  if (write) {
    const file = path.join(repositoryRoot, 'docs', 'evaluation.md');
    writeDocument(file, generated);
    process.stderr.write(`Wrote the results into ${path.relative(process.cwd(), file)}.\n`);
  }
  process.stderr.write(`Evaluation took ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
  if (!growthInvariantsHold(growth)) {
    process.stderr.write('A dream went over its budget or added before it merged: see the growth table.\n');
    process.exitCode = 1;
  }
}

await main();
