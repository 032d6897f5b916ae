"""Pictures drawn on the server as SVG, so they need no script and no third-party library.

Each comes with its data as text or a table next to it, for screen readers and for readers
who would rather read.
"""

from collections import Counter
from dataclasses import dataclass

from .models import DatePrecision

TIMELINE_WIDTH = 800
TIMELINE_MARGIN = 30
ROW_HEIGHT = 18
AXIS_GAP = 28
# A grid wider or longer than this stops being readable; the lists on the page hold the rest.
MATRIX_COLUMNS = 24
MATRIX_ROWS = 30


@dataclass
class TimelinePoint:
    record: object
    x: float
    y: float
    year: int


@dataclass
class YearTick:
    year: int
    x: float


def _position_in_year(record):
    """Where in its year a date falls, 0–1; a date known only to the year sits in the middle."""
    if record.date_precision == DatePrecision.YEAR:
        return 0.5
    if record.date_precision == DatePrecision.MONTH:
        return (record.date.month - 0.5) / 12
    return (record.date.timetuple().tm_yday - 0.5) / 366


def timeline(records):
    """Dots on a line of years, one per dated record, stacked where a year holds several."""
    dated = [record for record in records if record.date]
    if not dated:
        return None
    first = min(record.date.year for record in dated)
    last = max(record.date.year for record in dated)
    per_year = (TIMELINE_WIDTH - 2 * TIMELINE_MARGIN) / (last - first + 1)
    stacked = Counter(record.date.year for record in dated)
    height = max(stacked.values()) * ROW_HEIGHT + AXIS_GAP + 24
    axis = height - AXIS_GAP
    seen = Counter()
    points = []
    for record in dated:
        year = record.date.year
        level = seen[year]
        seen[year] += 1
        x = TIMELINE_MARGIN + (year - first + _position_in_year(record)) * per_year
        points.append(TimelinePoint(record, round(x, 1), axis - ROW_HEIGHT * (level + 0.7), year))
    ticks = [
        YearTick(year, round(TIMELINE_MARGIN + (year - first + 0.5) * per_year, 1))
        for year in range(first, last + 1)
    ]
    return {
        "points": points,
        "ticks": ticks,
        "width": TIMELINE_WIDTH,
        "height": height,
        "axis": axis,
        "left": TIMELINE_MARGIN,
        "right": TIMELINE_WIDTH - TIMELINE_MARGIN,
        "first": first,
        "last": last,
    }


@dataclass
class Matrix:
    rows: list
    columns: list  # (group label, record)
    cells: list  # per row: a list of booleans, one per column
    truncated: bool = False

    @property
    def rows_with_cells(self):
        return list(zip(self.rows, self.cells, strict=True))


def connections(initiatives, groups):
    """Which initiatives involve which zones, schools or partners, as a grid of yes/no.

    ``groups`` are (label, relation name) pairs; a column is a record any initiative is linked
    to through that relation, most-linked first.
    """
    initiatives = list(initiatives)
    truncated = len(initiatives) > MATRIX_ROWS
    initiatives = initiatives[:MATRIX_ROWS]
    columns = []  # (label, record, relation, number of initiatives linked to it)
    for label, relation in groups:
        linked = Counter()
        for initiative in initiatives:
            linked.update(getattr(initiative, relation).all())
        ordered = sorted(linked, key=lambda record: (-linked[record], record.sort_key))
        columns.extend((label, record, relation, linked[record]) for record in ordered)
    if not initiatives or not columns:
        return None
    if len(columns) > MATRIX_COLUMNS:
        truncated = True
        # Stable: within a count, groups and their pinyin order stay as they were.
        columns = sorted(columns, key=lambda column: -column[3])[:MATRIX_COLUMNS]
    cells = [
        [record in getattr(initiative, relation).all() for _, record, relation, _ in columns]
        for initiative in initiatives
    ]
    return Matrix(
        initiatives, [(label, record) for label, record, _, _ in columns], cells, truncated
    )


@dataclass
class FigureMark:
    figure: object
    kind: str = ""  # "ring" for a share of 100%, "bar" beside figures of the same unit
    fraction: float = 0.0

    @property
    def ring_dash(self):
        return f"{self.fraction * RING_LENGTH:.1f} {RING_LENGTH:.1f}"

    @property
    def bar_width(self):
        return round(self.fraction * 100, 1)


# The home page's ring has a radius of 15.9155, a circumference of 100: the dash length is the
# percentage.
RING_LENGTH = 100.0


def figure_marks(figures):
    """Each headline figure with a small picture of its size: a ring for a percentage, a bar
    against the largest figure counted in the same unit; none where nothing compares."""
    figures = list(figures)
    largest = {}
    per_unit = Counter(figure.unit for figure in figures)
    for figure in figures:
        largest[figure.unit] = max(largest.get(figure.unit, 0), figure.value)
    marks = []
    for figure in figures:
        if figure.unit == "%" and 0 <= figure.value <= 100:
            marks.append(FigureMark(figure, "ring", float(figure.value) / 100))
        elif per_unit[figure.unit] > 1 and largest[figure.unit] > 0:
            marks.append(FigureMark(figure, "bar", float(figure.value / largest[figure.unit])))
        else:
            marks.append(FigureMark(figure))
    return marks


SERIES_WIDTH = 600
SERIES_HEIGHT = 200
SERIES_MARGIN_X = 60
SERIES_TOP = 36
SERIES_AXIS_GAP = 40


@dataclass
class SeriesPoint:
    value: object
    x: float
    y: float

    @property
    def label_y(self):
        return round(self.y - 14, 1)


def _when(value):
    """A value's date as a fractional year, placed within the year as the timeline does."""
    return value.date.year + _position_in_year(value)


def figure_series(values, unit):
    """A figure's dated values in ``unit`` as dots joined by a line, from a baseline of zero so
    that the heights compare; None while fewer than two such values are dated, since one dot
    shows no change. ``values`` are in time order."""
    dated = [value for value in values if value.date and value.unit == unit]
    if len(dated) < 2:
        return None
    first, last = _when(dated[0]), _when(dated[-1])
    span = (last - first) or 1
    top = max(value.value for value in dated) or 1
    axis = SERIES_HEIGHT - SERIES_AXIS_GAP
    plot_width = SERIES_WIDTH - 2 * SERIES_MARGIN_X
    points = [
        SeriesPoint(
            value,
            round(SERIES_MARGIN_X + (_when(value) - first) / span * plot_width, 1),
            round(axis - float(value.value / top) * (axis - SERIES_TOP), 1),
        )
        for value in dated
    ]
    return {
        "points": points,
        "line": " ".join(f"{point.x},{point.y}" for point in points),
        "width": SERIES_WIDTH,
        "height": SERIES_HEIGHT,
        "axis": axis,
        "left": SERIES_MARGIN_X / 2,
        "right": SERIES_WIDTH - SERIES_MARGIN_X / 2,
        "first": dated[0],
        "last": dated[-1],
    }
