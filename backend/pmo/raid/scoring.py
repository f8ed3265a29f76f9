"""Risk scores and their RAG band, on the organisation's scale.

Two scales (`Organisation.risk_scale`):

* `5x5` (the default): likelihood and impact 1-5 each; score = likelihood x impact, 1-25;
  band green 1-4, amber 5-12, red 15-25 (no product of two numbers 1-5 falls in 13-14).
* `hml3` (Chesterfield's "before and after mitigation" H/M/L): likelihood and impact 1-3,
  low = 1, medium = 2, high = 3; score 1-9; band green 1-2, amber 3-4, red 6-9 (so
  low x low, low x medium are green; medium x medium and low x high are amber; anything
  high with at least medium is red).

The server works the score and band out; clients send only likelihood and impact. A risk
keeps the scale it was scored on (`Risk.scale`); the organisation's scale cannot change
while it has any risk, so every risk of an organisation is on its current scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Band(StrEnum):
    green = "green"
    amber = "amber"
    red = "red"


@dataclass(frozen=True)
class Scale:
    name: str
    points: int  # likelihood and impact run 1..points
    amber_from: int  # the lowest amber score
    red_from: int  # the lowest red score
    labels: tuple[str, ...] = ()  # names of the points, if the scale has them

    def score(self, likelihood: int, impact: int) -> int:
        return likelihood * impact

    def band(self, score: int) -> Band:
        if score >= self.red_from:
            return Band.red
        if score >= self.amber_from:
            return Band.amber
        return Band.green

    def score_range(self, band: Band) -> tuple[int, int]:
        """The scores (inclusive) that fall in `band`."""
        top = self.points * self.points
        return {
            Band.green: (1, self.amber_from - 1),
            Band.amber: (self.amber_from, self.red_from - 1),
            Band.red: (self.red_from, top),
        }[band]

    def contains(self, value: int) -> bool:
        return 1 <= value <= self.points


SCALES: dict[str, Scale] = {
    "5x5": Scale(name="5x5", points=5, amber_from=5, red_from=13),
    "hml3": Scale(name="hml3", points=3, amber_from=3, red_from=5, labels=("low", "medium", "high")),
}
DEFAULT_SCALE = "5x5"


def scale_of(name: str) -> Scale:
    return SCALES.get(name, SCALES[DEFAULT_SCALE])
