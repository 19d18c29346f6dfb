import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dueIntervals,
  intervalsBetween,
  latestDue,
  nextInterval,
  toDataInterval,
  type IntervalSpec,
} from './intervals.js';

const iso = (t: number): string => new Date(t).toISOString();
const spans = (list: readonly { start: number; end: number }[]): string[][] =>
  list.map((i) => [iso(i.start), iso(i.end)]);
const H = 3_600_000;

describe('intervals', () => {
  it('daily in UTC: the interval of a day is due once the day has ended, oldest first', () => {
    const spec: IntervalSpec = {
      cron: '0 0 * * *',
      timezone: 'UTC',
      startDate: Date.parse('2024-01-01'),
      endDate: null,
    };
    const due = dueIntervals(spec, Date.parse('2024-01-03T10:00:00Z'));
    assert.deepEqual(spans(due), [
      ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'],
      ['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z'],
    ]);
    assert.deepEqual(toDataInterval(due[0]!, 'UTC'), { from: '2024-01-01', to: '2024-01-02' });
    // exactly at the end the interval is due
    assert.equal(dueIntervals(spec, Date.parse('2024-01-02T00:00:00Z')).length, 1);
    assert.equal(dueIntervals(spec, Date.parse('2024-01-01T23:59:59Z')).length, 0);
    assert.deepEqual(spans(dueIntervals(spec, Date.parse('2024-01-05'), { after: due[1]!.start })), [
      ['2024-01-03T00:00:00.000Z', '2024-01-04T00:00:00.000Z'],
      ['2024-01-04T00:00:00.000Z', '2024-01-05T00:00:00.000Z'],
    ]);
    assert.deepEqual(spans([nextInterval(spec, Date.parse('2024-01-03T10:00:00Z'))!]), [
      ['2024-01-03T00:00:00.000Z', '2024-01-04T00:00:00.000Z'],
    ]);
  });

  it('daily in Europe/Paris across the spring DST change: 23 hours, local midnight to local midnight', () => {
    const tz = 'Europe/Paris';
    const spec: IntervalSpec = {
      cron: '0 0 * * *',
      timezone: tz,
      startDate: Date.parse('2024-03-29T23:00:00Z'),
      endDate: null,
    };
    const due = dueIntervals(spec, Date.parse('2024-04-02T00:00:00Z'));
    assert.deepEqual(
      due.map((i) => [toDataInterval(i, tz).from, (i.end - i.start) / H]),
      [
        ['2024-03-30', 24],
        ['2024-03-31', 23],
        ['2024-04-01', 24],
      ],
    );
    assert.equal(iso(due[2]!.start), '2024-03-31T22:00:00.000Z');
  });

  it('hourly in America/New_York across the autumn DST change: 25 intervals in the local day, none twice', () => {
    const tz = 'America/New_York';
    const start = Date.parse('2024-11-03T04:00:00Z'); // local midnight (EDT)
    const spec: IntervalSpec = { cron: '0 * * * *', timezone: tz, startDate: start, endDate: null };
    const due = dueIntervals(spec, Date.parse('2024-11-04T05:00:00Z')); // next local midnight (EST)
    assert.equal(due.length, 25);
    assert.ok(due.every((i) => i.end - i.start === H));
    assert.equal(new Set(due.map((i) => i.start)).size, 25);
    assert.deepEqual(
      due.slice(0, 3).map((i) => toDataInterval(i, tz).from),
      ['2024-11-03', '2024-11-03 01:00', '2024-11-03 01:00'],
    );
  });

  it('@weekly, end_date and latestDue', () => {
    const spec: IntervalSpec = {
      cron: '@weekly',
      timezone: 'UTC',
      startDate: Date.parse('2024-01-07'),
      endDate: Date.parse('2024-01-28'),
    };
    const due = dueIntervals(spec, Date.parse('2024-03-01'));
    assert.deepEqual(
      due.map((i) => toDataInterval(i, 'UTC')),
      [
        { from: '2024-01-07', to: '2024-01-14' },
        { from: '2024-01-14', to: '2024-01-21' },
        { from: '2024-01-21', to: '2024-01-28' },
      ],
    );
    assert.deepEqual(latestDue(spec, Date.parse('2024-03-01')), due[2]);
    assert.deepEqual(latestDue(spec, Date.parse('2024-01-21')), due[1]);
    assert.equal(nextInterval(spec, Date.parse('2024-03-01')), null);
  });

  it('intervalsBetween lists the intervals overlapping a range', () => {
    const spec: IntervalSpec = { cron: '0 0 * * *', timezone: 'UTC', startDate: null, endDate: null };
    const list = intervalsBetween(spec, Date.parse('2024-01-01T12:00:00Z'), Date.parse('2024-01-03'));
    assert.deepEqual(
      list.map((i) => toDataInterval(i, 'UTC').from),
      ['2024-01-01', '2024-01-02'],
    );
  });
});
