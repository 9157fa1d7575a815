/**
 * Refreshes the shipped bank holiday file from a GOV.UK download.
 *
 *   curl -o /tmp/bank-holidays.json https://www.gov.uk/bank-holidays.json
 *   npx tsx src/platform/calendar/refresh.ts /tmp/bank-holidays.json
 *
 * The download is validated, then unioned with the existing file (events keyed by division + date;
 * where both have a date, the download wins) and written back sorted. Nothing is ever deleted: the
 * command lists existing events in the download's years that the download does not have (a moved or
 * cancelled holiday), for a person to check.
 */
import { existsSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BankHolidayDataError,
  mergeBankHolidays,
  parseBankHolidays,
  serializeBankHolidays,
  type BankHolidayMergeReport,
  type BankHolidaysData,
} from './bank-holidays.ts';
import { DEFAULT_BANK_HOLIDAYS_PATH, readBankHolidaysFile } from './calendar.ts';

export interface RefreshResult extends BankHolidayMergeReport {
  targetPath: string;
  /** Events per division after the merge. */
  totals: Record<keyof BankHolidaysData, number>;
  /** False when the target already held exactly the merged data (the file is then not rewritten). */
  changed: boolean;
}

function readJsonFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BankHolidayDataError([`not valid JSON: ${(error as Error).message}`], path);
  }
}

/**
 * Merges the GOV.UK-format file at `sourcePath` into `targetPath` (default: the shipped file). A missing
 * target is created. The target is written atomically (temporary file, then rename) and only if it
 * changes. Throws {@link BankHolidayDataError} if either file is invalid, leaving the target untouched.
 */
export function refreshBankHolidays(
  sourcePath: string,
  targetPath: string = DEFAULT_BANK_HOLIDAYS_PATH,
): RefreshResult {
  const incoming = parseBankHolidays(readJsonFile(sourcePath), sourcePath);
  const existing: BankHolidaysData = existsSync(targetPath)
    ? readBankHolidaysFile(targetPath)
    : {
        'england-and-wales': { division: 'england-and-wales', events: [] },
        scotland: { division: 'scotland', events: [] },
        'northern-ireland': { division: 'northern-ireland', events: [] },
      };
  const { data, report } = mergeBankHolidays(existing, incoming);
  const text = serializeBankHolidays(data);
  const before = existsSync(targetPath) ? readFileSync(targetPath, 'utf8') : null;
  const changed = before !== text;
  if (changed) {
    const temporary = `${targetPath}.${process.pid}.tmp`;
    writeFileSync(temporary, text, 'utf8');
    renameSync(temporary, targetPath);
  }
  return {
    ...report,
    targetPath,
    changed,
    totals: {
      'england-and-wales': data['england-and-wales'].events.length,
      scotland: data.scotland.events.length,
      'northern-ireland': data['northern-ireland'].events.length,
    },
  };
}

function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const [source, target] = process.argv.slice(2);
  if (!source || source === '--help' || source === '-h') {
    console.error('usage: tsx src/platform/calendar/refresh.ts <gov.uk bank-holidays.json> [target.json]');
    process.exitCode = 2;
  } else {
    try {
      const result = refreshBankHolidays(source, target);
      console.log(
        `${result.changed ? 'Updated' : 'No change to'} ${result.targetPath}: ` +
          `${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged ` +
          `(england-and-wales ${result.totals['england-and-wales']}, scotland ${result.totals.scotland}, ` +
          `northern-ireland ${result.totals['northern-ireland']} events).`,
      );
      for (const kept of result.onlyInExisting) {
        console.warn(
          `Check: ${kept.division} ${kept.date} "${kept.title}" is not in the download but was kept; ` +
            'delete it by hand if the holiday was moved or cancelled.',
        );
      }
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    }
  }
}
