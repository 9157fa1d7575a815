/**
 * Checks the shipped bank-holidays.json against a table written out by hand from the rules:
 *
 * - New Year's Day (1 Jan; Saturday or Sunday → the next Monday); Scotland also 2 January, the two
 *   taking the next free weekdays in order (2022, 2028: Mon 3 and Tue 4; 2023: Mon 2 and Tue 3);
 * - Good Friday and (not Scotland) Easter Monday: Easter Sunday 2018–2028 is 1 Apr, 21 Apr, 12 Apr,
 *   4 Apr, 17 Apr, 9 Apr, 31 Mar, 20 Apr, 5 Apr, 28 Mar, 16 Apr;
 * - early May (first Monday; 2020 moved to Fri 8 May for VE Day), spring (last Monday of May; 2022
 *   moved to Thu 2 June with the Platinum Jubilee on Fri 3 June), summer (first Monday of August in
 *   Scotland, last Monday elsewhere);
 * - St Andrew's Day 30 Nov (Scotland), St Patrick's Day 17 Mar and Battle of the Boyne 12 Jul (Northern
 *   Ireland), each moved to the Monday when at a weekend;
 * - Christmas and Boxing Day: a weekday holiday stays put; a weekend one moves to the next free weekday
 *   (2020/2026 Boxing Day → Mon 28; 2021/2027 → Mon 27 and Tue 28; 2022 Christmas → Tue 27);
 * - one-offs: State Funeral 19 Sep 2022, Coronation 8 May 2023.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIVISIONS, dayOfWeek, defaultBankHolidays, type Division } from './index.ts';

const EXPECTED: Record<Division, Record<number, string>> = {
  'england-and-wales': {
    2018: '01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26',
    2019: '01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26',
    2020: '01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28',
    2021: '01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28',
    2022: '01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27',
    2023: '01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26',
    2024: '01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26',
    2025: '01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26',
    2026: '01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28',
    2027: '01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28',
    2028: '01-03 04-14 04-17 05-01 05-29 08-28 12-25 12-26',
  },
  scotland: {
    2018: '01-01 01-02 03-30 05-07 05-28 08-06 11-30 12-25 12-26',
    2019: '01-01 01-02 04-19 05-06 05-27 08-05 12-02 12-25 12-26',
    2020: '01-01 01-02 04-10 05-08 05-25 08-03 11-30 12-25 12-28',
    2021: '01-01 01-04 04-02 05-03 05-31 08-02 11-30 12-27 12-28',
    2022: '01-03 01-04 04-15 05-02 06-02 06-03 08-01 09-19 11-30 12-26 12-27',
    2023: '01-02 01-03 04-07 05-01 05-08 05-29 08-07 11-30 12-25 12-26',
    2024: '01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26',
    2025: '01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26',
    2026: '01-01 01-02 04-03 05-04 05-25 08-03 11-30 12-25 12-28',
    2027: '01-01 01-04 03-26 05-03 05-31 08-02 11-30 12-27 12-28',
    2028: '01-03 01-04 04-14 05-01 05-29 08-07 11-30 12-25 12-26',
  },
  'northern-ireland': {
    2018: '01-01 03-19 03-30 04-02 05-07 05-28 07-12 08-27 12-25 12-26',
    2019: '01-01 03-18 04-19 04-22 05-06 05-27 07-12 08-26 12-25 12-26',
    2020: '01-01 03-17 04-10 04-13 05-08 05-25 07-13 08-31 12-25 12-28',
    2021: '01-01 03-17 04-02 04-05 05-03 05-31 07-12 08-30 12-27 12-28',
    2022: '01-03 03-17 04-15 04-18 05-02 06-02 06-03 07-12 08-29 09-19 12-26 12-27',
    2023: '01-02 03-17 04-07 04-10 05-01 05-08 05-29 07-12 08-28 12-25 12-26',
    2024: '01-01 03-18 03-29 04-01 05-06 05-27 07-12 08-26 12-25 12-26',
    2025: '01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26',
    2026: '01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28',
    2027: '01-01 03-17 03-26 03-29 05-03 05-31 07-12 08-30 12-27 12-28',
    2028: '01-03 03-17 04-14 04-17 05-01 05-29 07-12 08-28 12-25 12-26',
  },
};

/** Dates whose event is a substitute for a weekend holiday (hand-listed from the table above). */
const SUBSTITUTES: Record<Division, string> = {
  'england-and-wales':
    '2020-12-28 2021-12-27 2021-12-28 2022-01-03 2022-12-27 2023-01-02 2026-12-28 2027-12-27 ' +
    '2027-12-28 2028-01-03',
  scotland:
    '2019-12-02 2020-12-28 2021-01-04 2021-12-27 2021-12-28 2022-01-03 2022-01-04 2022-12-27 ' +
    '2023-01-02 2023-01-03 2024-12-02 2025-12-01 2026-12-28 2027-01-04 2027-12-27 2027-12-28 ' +
    '2028-01-03 2028-01-04',
  'northern-ireland':
    '2018-03-19 2019-03-18 2020-07-13 2020-12-28 2021-12-27 2021-12-28 2022-01-03 2022-12-27 ' +
    '2023-01-02 2024-03-18 2025-07-14 2026-07-13 2026-12-28 2027-12-27 2027-12-28 2028-01-03',
};

const data = defaultBankHolidays();

describe('shipped bank-holidays.json', () => {
  for (const division of DIVISIONS) {
    it(`${division}: exactly the expected dates for 2018–2028`, () => {
      const expected = Object.entries(EXPECTED[division]).flatMap(([year, days]) =>
        days.split(' ').map((md) => `${year}-${md}`),
      );
      assert.deepEqual(
        data[division].events.map((e) => e.date),
        expected,
      );
    });

    it(`${division}: every holiday is a weekday and substitutes are marked`, () => {
      for (const event of data[division].events) {
        const dow = dayOfWeek(event.date);
        assert.ok(dow >= 1 && dow <= 5, `${event.date} ${event.title} falls at a weekend`);
        const substitute = SUBSTITUTES[division].split(' ').includes(event.date);
        assert.equal(event.notes, substitute ? 'Substitute day' : '', `${event.date} ${event.title}`);
      }
    });
  }

  it('has the GOV.UK titles and bunting for the awkward cases', () => {
    const find = (division: Division, date: string) => data[division].events.find((e) => e.date === date);
    assert.deepEqual(find('england-and-wales', '2026-12-28'), {
      title: 'Boxing Day',
      date: '2026-12-28',
      notes: 'Substitute day',
      bunting: true,
    });
    assert.equal(find('england-and-wales', '2027-12-27')?.title, 'Christmas Day');
    assert.equal(find('england-and-wales', '2027-12-28')?.title, 'Boxing Day');
    assert.equal(find('england-and-wales', '2022-12-26')?.title, 'Boxing Day'); // Christmas 2022 was a Sunday
    assert.equal(find('england-and-wales', '2022-12-27')?.title, 'Christmas Day');
    assert.equal(find('scotland', '2023-01-02')?.title, 'New Year’s Day');
    assert.equal(find('scotland', '2023-01-03')?.title, '2nd January');
    assert.equal(find('england-and-wales', '2020-05-08')?.title, 'Early May bank holiday (VE day)');
    assert.equal(find('england-and-wales', '2022-06-03')?.title, 'Platinum Jubilee bank holiday');
    assert.equal(find('england-and-wales', '2022-09-19')?.bunting, false);
    assert.equal(
      find('northern-ireland', '2023-05-08')?.title,
      'Bank holiday for the coronation of King Charles III',
    );
    assert.equal(find('england-and-wales', '2026-04-03')?.bunting, false); // Good Friday
    assert.equal(find('northern-ireland', '2026-07-13')?.bunting, false); // Boyne
    assert.equal(find('scotland', '2026-11-30')?.title, 'St Andrew’s Day');
  });

  it('has Good Friday two days before the Easter Sundays listed in the header', () => {
    const easter = [
      '04-01',
      '04-21',
      '04-12',
      '04-04',
      '04-17',
      '04-09',
      '03-31',
      '04-20',
      '04-05',
      '03-28',
      '04-16',
    ];
    const goodFridays = data['england-and-wales'].events
      .filter((e) => e.title === 'Good Friday')
      .map((e) => e.date);
    assert.deepEqual(
      goodFridays,
      easter.map((md, i) => {
        const sunday = new Date(`${2018 + i}-${md}T00:00:00Z`);
        return new Date(sunday.getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
      }),
    );
  });
});
