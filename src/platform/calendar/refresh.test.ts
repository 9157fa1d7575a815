import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  BankHolidayDataError,
  parseBankHolidays,
  refreshBankHolidays,
  type BankHolidaysData,
} from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'frontdoor-refresh-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(content: unknown): string {
  counter += 1;
  const path = join(dir, `file-${counter}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const ev = (title: string, date: string, notes = '', bunting = true) => ({ title, date, notes, bunting });

/** The existing target: England has Christmas 2026 (with an old title) and 4 May 2020 (later moved). */
function existing(): BankHolidaysData {
  return {
    'england-and-wales': {
      division: 'england-and-wales',
      events: [
        ev('Xmas', '2026-12-25'),
        ev('Early May bank holiday', '2020-05-04'),
        ev('New Year’s Day', '2026-01-01'),
      ],
    },
    scotland: { division: 'scotland', events: [ev('St Andrew’s Day', '2026-11-30')] },
    'northern-ireland': { division: 'northern-ireland', events: [] },
  };
}

/** The download: renames Christmas, adds Boxing Day 2026 and 2029 dates, and has 8 May 2020 instead of 4 May. */
function download(): BankHolidaysData {
  return {
    'england-and-wales': {
      division: 'england-and-wales',
      events: [
        ev('Boxing Day', '2026-12-28', 'Substitute day'),
        ev('Christmas Day', '2026-12-25'),
        ev('Early May bank holiday (VE day)', '2020-05-08'),
        ev('New Year’s Day', '2029-01-01'),
        ev('New Year’s Day', '2026-01-01'),
      ],
    },
    scotland: { division: 'scotland', events: [ev('St Andrew’s Day', '2026-11-30')] },
    'northern-ireland': {
      division: 'northern-ireland',
      events: [ev('St Patrick’s Day', '2029-03-19', 'Substitute day')],
    },
  };
}

describe('refreshBankHolidays', () => {
  it('unions by division + date, the download winning, and writes sorted', () => {
    const target = file(existing());
    const result = refreshBankHolidays(file(download()), target);

    const written = parseBankHolidays(JSON.parse(readFileSync(target, 'utf8')));
    assert.deepEqual(written['england-and-wales'].events, [
      ev('Early May bank holiday', '2020-05-04'), // kept (a union never deletes) …
      ev('Early May bank holiday (VE day)', '2020-05-08'),
      ev('New Year’s Day', '2026-01-01'),
      ev('Christmas Day', '2026-12-25'), // … title from the download
      ev('Boxing Day', '2026-12-28', 'Substitute day'),
      ev('New Year’s Day', '2029-01-01'),
    ]);
    assert.deepEqual(written.scotland.events, [ev('St Andrew’s Day', '2026-11-30')]);
    assert.deepEqual(written['northern-ireland'].events, [
      ev('St Patrick’s Day', '2029-03-19', 'Substitute day'),
    ]);

    // added: 28 Dec, 8 May 2020, 1 Jan 2029, NI 19 Mar 2029; updated: 25 Dec; unchanged: 1 Jan 2026, St Andrew's.
    assert.equal(result.added, 4);
    assert.equal(result.updated, 1);
    assert.equal(result.unchanged, 2);
    assert.equal(result.changed, true);
    assert.deepEqual(result.totals, { 'england-and-wales': 6, scotland: 1, 'northern-ireland': 1 });
    // 4 May 2020 is in a year the download covers but not in the download: flagged for a person.
    assert.deepEqual(result.onlyInExisting, [
      { division: 'england-and-wales', date: '2020-05-04', title: 'Early May bank holiday' },
    ]);
  });

  it('writes the file in the shipped format and does not rewrite it when nothing changes', () => {
    const target = file(existing());
    const source = file(download());
    refreshBankHolidays(source, target);
    const text = readFileSync(target, 'utf8');
    assert.ok(text.startsWith('{\n  "england-and-wales": {\n    "division": "england-and-wales",\n'));
    assert.ok(text.endsWith('}\n'));
    const again = refreshBankHolidays(source, target);
    assert.equal(again.changed, false);
    assert.equal(again.added, 0);
    assert.equal(readFileSync(target, 'utf8'), text);
  });

  it('creates a missing target', () => {
    const target = join(dir, 'new.json');
    const result = refreshBankHolidays(file(download()), target);
    assert.equal(existsSync(target), true);
    assert.equal(result.added, 7);
    assert.equal(
      parseBankHolidays(JSON.parse(readFileSync(target, 'utf8')))['england-and-wales'].events.length,
      5,
    );
  });

  it('refuses an invalid download and leaves the target untouched', () => {
    const target = file(existing());
    const before = readFileSync(target, 'utf8');
    const bad = download() as unknown as { scotland: { events: unknown[] } };
    bad.scotland.events.push({ title: 'Bad', date: '2026-11-31', notes: '', bunting: true });
    assert.throws(
      () => refreshBankHolidays(file(bad), target),
      (error: unknown) => {
        assert.ok(error instanceof BankHolidayDataError);
        assert.deepEqual(error.issues, [
          'scotland.events[1].date: expected a real date written YYYY-MM-DD, got "2026-11-31"',
        ]);
        return true;
      },
    );
    assert.throws(() => refreshBankHolidays(file('not json'), target), /not valid JSON/);
    assert.equal(readFileSync(target, 'utf8'), before);
  });

  it('runs as a command line tool', () => {
    const script = fileURLToPath(new URL('./refresh.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const target = file(existing());
    const ok = spawnSync(process.execPath, ['--import', 'tsx', script, file(download()), target], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Updated .*: 4 added, 1 updated, 2 unchanged/);
    assert.match(ok.stderr, /Check: england-and-wales 2020-05-04 "Early May bank holiday"/);

    const bad = spawnSync(process.execPath, ['--import', 'tsx', script, file({}), target], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /england-and-wales: expected an object/);

    const usage = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage:/);
  });
});
