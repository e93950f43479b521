"""Text people write, shown in a chart as the plain text it is: never markup, never mathematics.

Every chart builder of the product passes the names it draws (indicators, goals, activities, stories,
organisations, units) through this module, in the shape its library needs:

- **plotly** (the pages' charts) reads a subset of HTML in every text of a figure: titles, axis and tick
  labels, legend names, hover texts, annotations. `<a href=…>` becomes a live link inside the chart,
  `<b>`, `<i>`, `<sup>`, `<span style=…>` and `<br>` work. `plotly_text` writes `&`, `<` and `>` as the
  entities plotly turns back into those characters (it knows `&amp;`, `&lt;` and `&gt;`, not `&quot;`,
  so quotes stay as they are). `plotly_lines` breaks a label into lines joined by plotly's `<br>`, which
  is then the only markup in it.
- **matplotlib** (the annual report's SVG charts) reads `$…$` as mathematics (mathtext), and a command it
  does not know (`$\\foo$`) raises an error that took the report down. Its figures are drawn under
  `MATPLOTLIB_PLAIN_TEXT`, with which no text of the figure is parsed (rcParams `text.parse_math`).
"""

from __future__ import annotations

from typing import Any

MATPLOTLIB_PLAIN_TEXT: dict[str, Any] = {"text.parse_math": False, "text.usetex": False}

_PLOTLY_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plotly_text(text: object) -> str:
    """A person's text for a plotly figure: shown as written, no tag of it read as markup."""
    return str(text).translate(_PLOTLY_ENTITIES)


def plotly_texts(texts: Any) -> list[str]:
    """plotly_text of each."""
    return [plotly_text(text) for text in texts]


def plotly_lines(text: object, width: int = 14) -> str:
    """A person's text in lines of about `width` characters for a plotly label (joined by `<br>`)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(plotly_text(line) for line in lines)
