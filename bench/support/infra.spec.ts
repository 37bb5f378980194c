import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MISSED, missedTargets, renderTable, target } from './infra.js';

describe('bench targets', () => {
  it('prints each target beside its figure and marks every one that is missed', () => {
    const table = {
      title: 'Clinic renditions',
      columns: ['pipeline', 'images/min'],
      rows: [['handler', 298]],
      targets: [
        target('handler images/min', 298, '≥', 500, (n) => n.toFixed(0)),
        target('handler / bare sharp', 0.95, '≥', 0.9, (n) => n.toFixed(2)),
        target('p99 ms', 20, '<', 20),
        target('5xx answers', 0, '≤', 0),
        target('submit → first file processing, ms', Number.NaN, '<', 2000),
      ],
      notes: ['A note.'],
    };
    assert.equal(
      renderTable(table),
      [
        '### Clinic renditions',
        '',
        '| pipeline | images/min |',
        '|---|---|',
        '| handler | 298 |',
        '',
        '| target | figure | verdict |',
        '|---|---|---|',
        `| handler images/min ≥ 500 | 298 | ${MISSED} |`,
        '| handler / bare sharp ≥ 0.90 | 0.95 | met |',
        `| p99 ms < 20 | 20 | ${MISSED} |`,
        '| 5xx answers ≤ 0 | 0 | met |',
        `| submit → first file processing, ms < 2000 | not measured | ${MISSED} |`,
        '',
        'A note.',
      ].join('\n'),
    );
    assert.deepEqual(missedTargets([table, { title: 'none', columns: [], rows: [] }]), [
      'handler images/min: 298, target ≥ 500',
      'p99 ms: 20, target < 20',
      'submit → first file processing, ms: not measured, target < 2000',
    ]);
  });
});
