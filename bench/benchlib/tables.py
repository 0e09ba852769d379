"""Tables as Markdown (report.md) and as aligned text (the terminal), and
the number formats they share."""

from statistics import median


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def text_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(row):
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def fmt_rate(value):
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def fmt_us(value):
    if value is None:
        return "–"
    if value >= 1_000_000:
        return f"{value / 1e6:.2f} s"
    return f"{value / 1000:.1f} ms" if value >= 1000 else f"{value:.0f} µs"


def fmt_cpu(value):
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def with_range(values, fmt):
    """'median (min–max)', or just the value for one run."""
    if not values:
        return "–"
    text = fmt(median(values))
    if len(values) > 1:
        text += f" ({fmt(min(values))}–{fmt(max(values))})"
    return text
