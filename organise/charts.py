"""Server-side SVG charts: coordinates computed here, drawn by a template (no JavaScript)."""

from dataclasses import dataclass

from .selectors import RsvpTimelinePoint

WIDTH, HEIGHT = 480, 180
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 36, 12, 12, 28


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    point: RsvpTimelinePoint


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    line: str
    capacity_y: float | None
    y_max: int
    ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    baseline: float
    left: int
    right: int

    @property
    def empty(self) -> bool:
        return not self.bars


def rsvp_chart(points: list[RsvpTimelinePoint], *, capacity: int) -> Chart:
    """Bars of new RSVPs per day with the running total as a line and capacity as a rule."""
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    baseline = PAD_TOP + plot_h
    top = max([p.total for p in points] + [capacity, 1])
    y_max = _nice(top)

    def y(value: int) -> float:
        return round(baseline - plot_h * value / y_max, 1)

    n = len(points)
    slot = plot_w / max(n, 1)
    bar_w = max(min(slot * 0.6, 28), 2)
    bars, line = [], []
    for i, point in enumerate(points):
        cx = PAD_LEFT + slot * (i + 0.5)
        bars.append(
            Bar(
                x=round(cx - bar_w / 2, 1),
                y=y(point.new),
                width=round(bar_w, 1),
                height=round(baseline - y(point.new), 1),
                point=point,
            )
        )
        line.append(f"{round(cx, 1)},{y(point.total)}")
    ticks = [(y(v), v) for v in (0, y_max // 2, y_max)]
    label_every = max(1, n // 6)
    x_labels = [
        (round(PAD_LEFT + slot * (i + 0.5), 1), p.day.strftime("%-d %b"))
        for i, p in enumerate(points)
        if i % label_every == 0 or i == n - 1
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        line=" ".join(line),
        capacity_y=y(capacity) if capacity else None,
        y_max=y_max,
        ticks=ticks,
        x_labels=x_labels,
        baseline=baseline,
        left=PAD_LEFT,
        right=WIDTH - PAD_RIGHT,
    )


def _nice(value: int) -> int:
    """A round axis maximum at or above `value` (10, 20, 50, 100, ...)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10
