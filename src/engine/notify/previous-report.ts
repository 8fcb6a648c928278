// What the report on file (reports/compliance.json, before a new report replaces it) showed:
// the SLA breaches and exception notices that were sent then are not sent again
// (core/notify/report-events.ts). A missing or unreadable file shows nothing: everything is sent.
import path from 'node:path';
import { parseJsonStrict } from '../../core/model/strict-json.js';
import type { PreviousReport } from '../../core/notify/report-events.js';
import { readTextSafeIfExists } from '../../platform/safe-fs.js';

const MAX_REPORT_BYTES = 256 * 1024 * 1024;

export function readPreviousReport(reportsDir: string): PreviousReport | undefined {
  let text: string | undefined;
  try {
    text = readTextSafeIfExists(path.join(reportsDir, 'compliance.json'), {
      maxBytes: MAX_REPORT_BYTES,
      within: reportsDir,
      refuseLinks: true,
    });
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  const parsed = parseJsonStrict('compliance.json', text);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return undefined;
  const v = parsed.value as { slaBreaches?: unknown; exceptions?: unknown };
  const list = (x: unknown): Record<string, unknown>[] =>
    Array.isArray(x)
      ? x.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      : [];
  const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
  return {
    slaBreaches: list(v.slaBreaches).flatMap((b) => {
      const host = str(b.host);
      const pkg = str(b.package);
      return host !== null && pkg !== null ? [{ host, package: pkg }] : [];
    }),
    exceptions: list(v.exceptions).flatMap((e) => {
      const name = str(e.name);
      return name === null
        ? []
        : [
            {
              name,
              expiresAt: str(e.expiresAt),
              daysLeft: typeof e.daysLeft === 'number' ? e.daysLeft : null,
            },
          ];
    }),
  };
}
