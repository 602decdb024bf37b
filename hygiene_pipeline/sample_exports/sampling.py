"""Seeded random choices: weighted picks and weighted sampling without replacement."""

from __future__ import annotations

import random
from collections.abc import Sequence


def pick(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    values = [value for value, _ in pairs]
    weights = [weight for _, weight in pairs]
    return rng.choices(values, weights=weights)[0]


def weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """Deterministic weighted sampling without replacement (Efraimidis-Spirakis)."""
    keyed = []
    for index, (item, weight) in enumerate(zip(items, weights, strict=True)):
        draw = rng.random()
        if weight > 0:
            keyed.append((draw ** (1.0 / weight), index, item))
    keyed.sort(key=lambda entry: (-entry[0], entry[1]))
    return [entry[2] for entry in keyed[:k]]
