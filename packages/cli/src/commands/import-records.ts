import { EXIT } from '../exit-codes.js';
import { print } from '../output.js';
import { readRecordFile, RECORD_KINDS, withIds, type RecordKind } from '../record-import.js';
import type { Runtime } from '../runtime.js';

/**
 * `crmsync import deals|emails|... FILE`: deals go through the engine's ingest as people do,
 * activities through its activity ingest (E1-E12). Every refused row is printed with its number
 * and the engine's reason (which names the record and the field); the others are kept.
 */
export async function importRecords(
  rt: Runtime,
  workspaceId: string,
  kind: RecordKind,
  buffer: Buffer,
  fileName: string,
): Promise<number> {
  const file = readRecordFile(kind, buffer, fileName);
  const rows = await withIds(kind, workspaceId, rt.opened.store.workspace(workspaceId), file.rows);
  const type = RECORD_KINDS[kind];
  const results =
    type === 'deal'
      ? await rt.engine.ingestMany(
          workspaceId,
          rows.map((r) => ({ type, op: 'upsert' as const, data: { ...r.data } })),
        )
      : await rt.engine.ingestActivities(
          workspaceId,
          rows.map((r) => ({ type, op: 'upsert' as const, data: { ...r.data } })),
        );
  let saved = 0;
  let queued = 0;
  let failed = file.errors.length;
  for (const e of file.errors) print(`row ${e.row}: error: ${e.message}`);
  results.forEach((r, i) => {
    if (r.ok) {
      saved++;
      if (r.queued) queued++;
    } else {
      failed++;
      print(`row ${rows[i]!.row}: error: ${r.message}`);
    }
  });
  const total = file.rows.length + file.errors.length;
  print(
    `Imported ${saved} of ${total} ${kind} row${total === 1 ? '' : 's'} (${queued} queued for push, ${failed} failed).`,
  );
  return failed > 0 ? EXIT.someFailed : EXIT.ok;
}
