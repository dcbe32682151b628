import type { MemoryHistory } from '../create-reverie.js';
import { displayPath, oneLine, renderTable, shortTime } from './render-table.js';

/** The version table `reverie history` prints for one file. */
export function renderHistory(history: MemoryHistory, cwd: string): string {
  const header = `${displayPath(history.file.path, cwd)} (${history.file.agent === null ? 'shared' : `agent ${history.file.agent}`}), current v${history.file.currentVersion}`;
  const table = renderTable(
    ['', 'VERSION', 'TIME', 'ACTOR', 'LINES', 'REASON'],
    history.versions.map((version) => [
      version.version === history.file.currentVersion ? '*' : '',
      `v${version.version}`,
      shortTime(version.createdAt),
      `${version.actor.kind}${version.actor.name === null ? '' : ` (${version.actor.name})`}`,
      version.exists
        ? String(
            version.content === ''
              ? 0
              : version.content.split('\n').length - (version.content.endsWith('\n') ? 1 : 0),
          )
        : 'absent',
      oneLine(`${version.reason}${version.proposalId === null ? '' : ` [${version.proposalId}]`}`, 80),
    ]),
  );
  return `${header}\n${table}`;
}
