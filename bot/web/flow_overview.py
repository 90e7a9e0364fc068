"""The overview drawing at the top of a flow's page: one small box per state, in the rows of
`flow_picture.ranks`, and one arrow per way from state to state, as SVG computed here so the page
needs no script. Each box links to the full box below it; each arrow's title names what it is
("yes / 1", "no reply for 3 days"). Layout is deliberately simple: rows centred, arrows down to
later rows, arcs over the top within a row, arrows back up bent around the right side.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.web.flow_picture import Picture

BOX_W, BOX_H = 150, 34
GAP_X, GAP_Y = 24, 56
MARGIN = 40


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    x: int
    y: int

    @property
    def label(self) -> str:
        text = self.name.replace("_", " ")
        return text if len(text) <= 20 else text[:19] + "…"


@dataclass(frozen=True)
class Arrow:
    path: str
    title: str
    kind: str


@dataclass(frozen=True)
class Overview:
    width: int
    height: int
    nodes: list[Node]
    arrows: list[Arrow]


def overview(pic: Picture) -> Overview:
    widest = max((len(row) for row in pic.rows), default=1)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    nodes: dict[str, Node] = {}
    for r, row in enumerate(pic.rows):
        row_w = len(row) * BOX_W + (len(row) - 1) * GAP_X
        left = (width - row_w) // 2
        for c, box in enumerate(row):
            nodes[box.name] = Node(box.name, box.kind, left + c * (BOX_W + GAP_X), MARGIN + r * (BOX_H + GAP_Y))
    arrows = []
    for box in pic.boxes:
        src = nodes[box.name]
        for n, exit_ in enumerate(box.exits):
            dst = nodes.get(exit_.dest)
            if dst is not None:
                arrows.append(Arrow(_path(src, dst, n), f"{box.name} → {exit_.dest}: {exit_.label}", exit_.kind))
    height = MARGIN * 2 + len(pic.rows) * BOX_H + max(len(pic.rows) - 1, 0) * GAP_Y
    return Overview(width, height, list(nodes.values()), arrows)


def _path(src: Node, dst: Node, n: int) -> str:
    """An SVG path from src to dst: down to a lower row, an arc over the top within a row, and
    around the right side back up."""
    spread = (n % 5 - 2) * 12  # fan the arrows of one box out a little
    if dst.y > src.y:
        x1, y1 = src.x + BOX_W // 2 + spread, src.y + BOX_H
        x2, y2 = dst.x + BOX_W // 2, dst.y
        mid = (y1 + y2) // 2
        return f"M{x1},{y1} C{x1},{mid} {x2},{mid} {x2},{y2}"
    if dst.y == src.y:  # same row: an arc over the top
        x1, x2, y = src.x + BOX_W // 2 + spread, dst.x + BOX_W // 2, src.y
        lift = y - 18 - abs(x2 - x1) // 12
        return f"M{x1},{y} C{x1},{lift} {x2},{lift} {x2},{y}"
    x1, y1 = src.x + BOX_W, src.y + BOX_H // 2 + spread // 3
    x2, y2 = dst.x + BOX_W, dst.y + BOX_H // 2
    bulge = max(x1, x2) + 40 + abs(spread)
    return f"M{x1},{y1} C{bulge},{y1} {bulge},{y2} {x2},{y2}"
