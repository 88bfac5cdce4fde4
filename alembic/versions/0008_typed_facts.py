"""returns' reports and figures, and forecast runs' results, in typed rows

A return's issues leave ``council_return.issues`` for ``return_issue`` rows, its measures
and counts leave ``measures`` and ``counts`` for ``return_measure`` rows (kind ``measure``
or ``count``). A forecast run's backtest scores leave ``forecast_run.backtest`` for
``backtest_score`` rows (the rest of the backtest, its design, stays JSON as
``backtest_design``), its event studies leave ``event_studies`` for ``event_study`` and
``event_study_estimate`` rows, and its early warnings leave ``early_warnings`` for
``early_warning`` rows (one per reason or caveat) with ``early_warning_figure`` rows.
Every item keeps its place, so the downgrade puts each back in the JSON it came from.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 15:00:00.000000
"""

from collections.abc import Iterator, Sequence
from datetime import date
from itertools import groupby
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000
BACKTEST_HEAD = ('model_version', 'origins', 'horizons', 'measures')
SCORE_FIELDS = (
    'measure', 'horizon', 'group', 'method', 'n', 'mae', 'mase', 'bias', 'coverage_80',
    'coverage_95',
)
STUDY_FIELDS = ('measure', 'group', 'events', 'controls', 'observations')
ESTIMATE_FIELDS = ('k', 'estimate', 'se', 'lower', 'upper')
ISSUE_FIELDS = ('severity', 'rule', 'message', 'sheet', 'row', 'column', 'value')
FIGURE_MEASURES = {
    'agency_rate_forecast': 'agency_rate_fte',
    'turnover': 'turnover_rate_fte',
    'vacancy_gap': 'vacancy_rate_fte',
    'inadequate_judgement': 'inadequate_judgement',
    'inpost_fte': 'inpost_fte',
}
CAVEAT_FIGURES = ('inpost_fte',)

council_return = sa.table(
    'council_return',
    sa.column('id', sa.Integer()),
    sa.column('issues', sa.JSON()),
    sa.column('measures', sa.JSON()),
    sa.column('counts', sa.JSON()),
)
return_issue = sa.table(
    'return_issue',
    *(sa.column(name) for name in ('return_id', 'position', *ISSUE_FIELDS, 'file')),
)
return_measure = sa.table(
    'return_measure',
    *(sa.column(name) for name in ('return_id', 'kind', 'measure', 'position', 'value')),
)
forecast_run = sa.table(
    'forecast_run',
    sa.column('id', sa.Integer()),
    sa.column('backtest', sa.JSON()),
    sa.column('backtest_design', sa.JSON()),
    sa.column('event_studies', sa.JSON()),
    sa.column('early_warnings', sa.JSON()),
)
backtest_score = sa.table(
    'backtest_score', *(sa.column(name) for name in ('run_id', 'position', *SCORE_FIELDS))
)
event_study = sa.table(
    'event_study',
    *(
        sa.column(name)
        for name in ('id', 'run_id', 'position', *STUDY_FIELDS, 'pre_trend_p', 'note')
    ),
)
event_study_estimate = sa.table(
    'event_study_estimate', *(sa.column(name) for name in ('study_id', *ESTIMATE_FIELDS))
)
early_warning = sa.table(
    'early_warning',
    *(
        sa.column(name)
        for name in (
            'id', 'run_id', 'rank', 'council_code', 'council_name', 'score', 'position', 'kind',
            'measure', 'text',
        )
    ),
)
early_warning_figure = sa.table(
    'early_warning_figure',
    sa.column('warning_id'),
    sa.column('position'),
    sa.column('name'),
    sa.column('year'),
    sa.column('value'),
    sa.column('day', sa.Date()),
)


def _chunks(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    bind = op.get_bind()
    for chunk in _chunks(rows):
        bind.execute(sa.insert(table), chunk)


def _create_tables() -> None:
    op.create_table('return_issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sheet', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('row', sa.Integer(), nullable=True),
    sa.Column('column', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('file', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['return_id'], ['council_return.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('return_issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_issue_return_id'), ['return_id'], unique=False)

    op.create_table('return_measure',
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['return_id'], ['council_return.id'], ),
    sa.PrimaryKeyConstraint('return_id', 'kind', 'measure')
    )
    with op.batch_alter_table('return_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_measure_measure'), ['measure'], unique=False)

    op.create_table('backtest_score',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('horizon', sa.Integer(), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('mae', sa.Float(), nullable=True),
    sa.Column('mase', sa.Float(), nullable=True),
    sa.Column('bias', sa.Float(), nullable=True),
    sa.Column('coverage_80', sa.Float(), nullable=True),
    sa.Column('coverage_95', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ),
    sa.PrimaryKeyConstraint('run_id', 'measure', 'horizon', 'group', 'method')
    )

    op.create_table('event_study',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('group', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('controls', sa.Integer(), nullable=False),
    sa.Column('observations', sa.Integer(), nullable=False),
    sa.Column('pre_trend_p', sa.Float(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event_study', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_study_measure'), ['measure'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_study_run_id'), ['run_id'], unique=False)

    op.create_table('event_study_estimate',
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('estimate', sa.Float(), nullable=False),
    sa.Column('se', sa.Float(), nullable=False),
    sa.Column('lower', sa.Float(), nullable=False),
    sa.Column('upper', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['event_study.id'], ),
    sa.PrimaryKeyConstraint('study_id', 'k')
    )

    op.create_table('early_warning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('council_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('council_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('early_warning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_early_warning_council_code'), ['council_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_early_warning_measure'), ['measure'], unique=False)
        batch_op.create_index(batch_op.f('ix_early_warning_run_id'), ['run_id'], unique=False)

    op.create_table('early_warning_figure',
    sa.Column('warning_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['warning_id'], ['early_warning.id'], ),
    sa.PrimaryKeyConstraint('warning_id', 'position')
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _figure_values(value: Any) -> list[tuple[int | None, float | None, date | None]]:
    """A warning's figure as (census year, number, day): one, or one per year of a series."""
    if isinstance(value, dict):
        return [(int(year), _number(v), None) for year, v in value.items()]
    if isinstance(value, str):
        return [(None, None, date.fromisoformat(value))]
    return [(None, _number(value), None)]


def _warning_rows(
    run_id: int, rank: int, warning: dict[str, Any], next_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One council's warning as lines (a reason or caveat each) and the figures behind them,
    each figure with the reason it stands behind (the workforce's size with the caveat)."""
    texts = [('reason', t) for t in warning.get('reasons') or []]
    texts += [('caveat', t) for t in warning.get('caveats') or []]
    if not texts:
        raise RuntimeError(f'run {run_id}: the warning for {warning["council_code"]} has no reason')
    lines = [
        {
            'id': next_id + n,
            'run_id': run_id,
            'rank': rank,
            'council_code': warning['council_code'],
            'council_name': warning['council_name'],
            'score': float(warning['score']),
            'position': n + 1,
            'kind': kind,
            'measure': '',
            'text': text,
        }
        for n, (kind, text) in enumerate(texts)
    ]
    reasons = [line for line in lines if line['kind'] == 'reason']
    caveats = [line for line in lines if line['kind'] == 'caveat']
    figures: list[dict[str, Any]] = []
    next_reason = 0
    for name, value in (warning.get('figures') or {}).items():
        if name in CAVEAT_FIGURES and caveats:
            line = caveats[0]
        else:
            line = reasons[min(next_reason, len(reasons) - 1)] if reasons else lines[-1]
            next_reason += 1
        if not line['measure']:
            line['measure'] = FIGURE_MEASURES.get(name, name)
        for year, number, day in _figure_values(value):
            figures.append(
                {
                    'warning_id': line['id'],
                    'position': len(figures) + 1,
                    'name': name,
                    'year': year,
                    'value': number,
                    'day': day,
                }
            )
    return lines, figures


def _set_sequence(table: str) -> None:
    """After rows were inserted with their ids, let PostgreSQL's sequence carry on past them."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce(max(id), 0) + 1, false) FROM {table}"
            )
        )


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()

    issues: list[dict[str, Any]] = []
    figures: list[dict[str, Any]] = []
    for row in bind.execute(sa.select(council_return).order_by(council_return.c.id)):
        for position, issue in enumerate(row.issues or [], start=1):
            issues.append(
                {
                    'return_id': row.id,
                    'position': position,
                    **{name: issue.get(name) for name in ISSUE_FIELDS},
                    'row': None if issue.get('row') is None else int(issue['row']),
                    'value': None if issue.get('value') is None else str(issue['value']),
                    'file': issue.get('file'),
                }
            )
        for kind, found in (('measure', row.measures), ('count', row.counts)):
            for position, (measure, value) in enumerate((found or {}).items(), start=1):
                figures.append(
                    {
                        'return_id': row.id,
                        'kind': kind,
                        'measure': measure,
                        'position': position,
                        'value': _number(value),
                    }
                )
    _insert(return_issue, issues)
    _insert(return_measure, figures)

    # Added with a default so SQLite can add it in place: rebuilding forecast_run or
    # council_return would drop tables other tables refer to.
    with op.batch_alter_table('forecast_run', schema=None, recreate='never') as batch_op:
        batch_op.add_column(
            sa.Column('backtest_design', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    scores: list[dict[str, Any]] = []
    studies: list[dict[str, Any]] = []
    estimates: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    warning_figures: list[dict[str, Any]] = []
    designs: list[dict[str, Any]] = []
    for run in bind.execute(sa.select(forecast_run).order_by(forecast_run.c.id)):
        backtest = dict(run.backtest or {})
        for position, score in enumerate(backtest.pop('scores', None) or [], start=1):
            scores.append(
                {'run_id': run.id, 'position': position, **{k: score.get(k) for k in SCORE_FIELDS}}
            )
        designs.append({'run_id': run.id, 'design': backtest})
        for position, study in enumerate(run.event_studies or [], start=1):
            study_id = len(studies) + 1
            studies.append(
                {
                    'id': study_id,
                    'run_id': run.id,
                    'position': position,
                    **{k: study[k] for k in STUDY_FIELDS},
                    'pre_trend_p': study.get('pre_trend_p'),
                    'note': study.get('note') or '',
                }
            )
            for estimate in study.get('estimates') or []:
                estimates.append({'study_id': study_id, **{k: estimate[k] for k in ESTIMATE_FIELDS}})
        for rank, warning in enumerate(run.early_warnings or [], start=1):
            found, behind = _warning_rows(run.id, rank, warning, len(lines) + 1)
            lines.extend(found)
            warning_figures.extend(behind)
    set_design = (
        sa.update(forecast_run)
        .where(forecast_run.c.id == sa.bindparam('run_id'))
        .values(backtest_design=sa.bindparam('design', type_=sa.JSON()))
    )
    for chunk in _chunks(designs):
        bind.execute(set_design, chunk)
    _insert(backtest_score, scores)
    _insert(event_study, studies)
    _insert(event_study_estimate, estimates)
    _insert(early_warning, lines)
    _insert(early_warning_figure, warning_figures)
    _set_sequence('event_study')
    _set_sequence('early_warning')
    if bind.dialect.name != 'sqlite':
        op.alter_column('forecast_run', 'backtest_design', server_default=None)

    with op.batch_alter_table('forecast_run', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('early_warnings')
        batch_op.drop_column('event_studies')
        batch_op.drop_column('backtest')
    with op.batch_alter_table('council_return', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('counts')
        batch_op.drop_column('measures')
        batch_op.drop_column('issues')


def _warning_dict(lines: list[Any], figures: dict[int, list[Any]]) -> dict[str, Any]:
    """One council's warning, from its lines and their figures, as the JSON held it."""
    found: dict[str, Any] = {}
    behind = sorted((f for line in lines for f in figures.get(line.id, [])), key=lambda f: f.position)
    for figure in behind:
        if figure.year is not None:
            found.setdefault(figure.name, {})[str(figure.year)] = figure.value
        elif figure.day is not None:
            found[figure.name] = figure.day.isoformat()
        else:
            found[figure.name] = figure.value
    first = lines[0]
    return {
        'council_code': first.council_code,
        'council_name': first.council_name,
        'score': first.score,
        'reasons': [line.text for line in lines if line.kind == 'reason'],
        'figures': found,
        'caveats': [line.text for line in lines if line.kind == 'caveat'],
    }


def downgrade() -> None:
    bind = op.get_bind()
    defaults = {'issues': "'[]'", 'measures': "'{}'", 'counts': "'{}'"}
    with op.batch_alter_table('council_return', schema=None, recreate='never') as batch_op:
        for name, default in defaults.items():
            batch_op.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text(default))
            )
    reports: dict[int, dict[str, Any]] = {}
    for issue in bind.execute(
        sa.select(return_issue).order_by(return_issue.c.return_id, return_issue.c.position)
    ):
        item = {name: getattr(issue, name) for name in ISSUE_FIELDS}
        if issue.file is not None:
            item['file'] = issue.file
        reports.setdefault(issue.return_id, {'issues': [], 'measures': {}, 'counts': {}})[
            'issues'
        ].append(item)
    for figure in bind.execute(
        sa.select(return_measure).order_by(
            return_measure.c.return_id, return_measure.c.kind, return_measure.c.position
        )
    ):
        report = reports.setdefault(figure.return_id, {'issues': [], 'measures': {}, 'counts': {}})
        report['measures' if figure.kind == 'measure' else 'counts'][figure.measure] = figure.value
    restore = (
        sa.update(council_return)
        .where(council_return.c.id == sa.bindparam('return_id'))
        .values(
            issues=sa.bindparam('issues', type_=sa.JSON()),
            measures=sa.bindparam('measures', type_=sa.JSON()),
            counts=sa.bindparam('counts', type_=sa.JSON()),
        )
    )
    for chunk in _chunks([{'return_id': k, **v} for k, v in reports.items()]):
        bind.execute(restore, chunk)

    defaults = {'backtest': "'{}'", 'event_studies': "'[]'", 'early_warnings': "'[]'"}
    with op.batch_alter_table('forecast_run', schema=None, recreate='never') as batch_op:
        for name, default in defaults.items():
            batch_op.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text(default))
            )
    runs: dict[int, dict[str, Any]] = {}
    for run in bind.execute(sa.select(forecast_run.c.id, forecast_run.c.backtest_design)):
        runs[run.id] = {
            'design': run.backtest_design or {},
            'scores': [],
            'event_studies': [],
            'early_warnings': [],
        }
    for score in bind.execute(
        sa.select(backtest_score).order_by(backtest_score.c.run_id, backtest_score.c.position)
    ):
        runs[score.run_id]['scores'].append({k: getattr(score, k) for k in SCORE_FIELDS})
    estimates: dict[int, list[dict[str, Any]]] = {}
    for estimate in bind.execute(
        sa.select(event_study_estimate).order_by(
            event_study_estimate.c.study_id, event_study_estimate.c.k
        )
    ):
        estimates.setdefault(estimate.study_id, []).append(
            {k: getattr(estimate, k) for k in ESTIMATE_FIELDS}
        )
    for study in bind.execute(
        sa.select(event_study).order_by(event_study.c.run_id, event_study.c.position)
    ):
        runs[study.run_id]['event_studies'].append(
            {
                **{k: getattr(study, k) for k in STUDY_FIELDS},
                'estimates': estimates.get(study.id, []),
                'pre_trend_p': study.pre_trend_p,
                'note': study.note,
            }
        )
    figures: dict[int, list[Any]] = {}
    for figure in bind.execute(sa.select(early_warning_figure)):
        figures.setdefault(figure.warning_id, []).append(figure)
    every_line = bind.execute(
        sa.select(early_warning).order_by(
            early_warning.c.run_id, early_warning.c.rank, early_warning.c.position
        )
    ).all()
    for (run_id, _), lines in groupby(every_line, lambda line: (line.run_id, line.rank)):
        runs[run_id]['early_warnings'].append(_warning_dict(list(lines), figures))
    restore = (
        sa.update(forecast_run)
        .where(forecast_run.c.id == sa.bindparam('run_id'))
        .values(
            backtest=sa.bindparam('backtest', type_=sa.JSON()),
            event_studies=sa.bindparam('event_studies', type_=sa.JSON()),
            early_warnings=sa.bindparam('early_warnings', type_=sa.JSON()),
        )
    )
    rows = []
    for run_id, run in runs.items():
        design, scores = run['design'], run['scores']
        backtest = (
            {
                **{k: design[k] for k in BACKTEST_HEAD if k in design},
                'scores': scores,
                **{k: v for k, v in design.items() if k not in BACKTEST_HEAD},
            }
            if design or scores
            else {}
        )
        rows.append(
            {
                'run_id': run_id,
                'backtest': backtest,
                'event_studies': run['event_studies'],
                'early_warnings': run['early_warnings'],
            }
        )
    for chunk in _chunks(rows):
        bind.execute(restore, chunk)
    if bind.dialect.name != 'sqlite':
        for name in ('issues', 'measures', 'counts'):
            op.alter_column('council_return', name, server_default=None)
        for name in ('backtest', 'event_studies', 'early_warnings'):
            op.alter_column('forecast_run', name, server_default=None)
    with op.batch_alter_table('forecast_run', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('backtest_design')

    op.drop_table('early_warning_figure')
    with op.batch_alter_table('early_warning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_early_warning_run_id'))
        batch_op.drop_index(batch_op.f('ix_early_warning_measure'))
        batch_op.drop_index(batch_op.f('ix_early_warning_council_code'))
    op.drop_table('early_warning')
    op.drop_table('event_study_estimate')
    with op.batch_alter_table('event_study', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_study_run_id'))
        batch_op.drop_index(batch_op.f('ix_event_study_measure'))
    op.drop_table('event_study')
    op.drop_table('backtest_score')
    with op.batch_alter_table('return_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_measure_measure'))
    op.drop_table('return_measure')
    with op.batch_alter_table('return_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_issue_return_id'))
    op.drop_table('return_issue')
