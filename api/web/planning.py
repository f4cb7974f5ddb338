"""Session-plan arithmetic shared by the prepare page: minutes that always sum to the session length.

app.js re-balances live in the browser with the same rule; the server applies it again on save, so a
plan stored from any client sums to the session length.
"""

from __future__ import annotations


def distribute(weights: list[int], total: int) -> list[int]:
    """Split `total` minutes over items in proportion to `weights`, each at least 1 (largest remainder)."""
    count = len(weights)
    if count == 0:
        return []
    if total < count:
        raise ValueError(f"{total} minutes cannot hold {count} items of at least 1 minute")
    spare = total - count
    base = [max(w, 1) for w in weights]
    scale = sum(base)
    shares = [spare * w / scale for w in base]
    result = [1 + int(s) for s in shares]
    left = total - sum(result)
    order = sorted(range(count), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[:left]:
        result[i] += 1
    return result


def rebalance(minutes: list[int], total: int, edited: int | None = None) -> list[int]:
    """Minutes that sum to `total`: the `edited` item keeps its value (clamped so every other item keeps
    at least a minute) and the others share the rest in proportion to what they had. A lone item
    takes the whole session."""
    if not minutes:
        return []
    if edited is None:
        return minutes if sum(minutes) == total and min(minutes) >= 1 else distribute(minutes, total)
    others = [i for i in range(len(minutes)) if i != edited]
    if not others:
        return [total]
    fixed = min(max(minutes[edited], 1), total - len(others))
    rest = distribute([minutes[i] for i in others], total - fixed)
    result = list(minutes)
    result[edited] = fixed
    for i, value in zip(others, rest, strict=True):
        result[i] = value
    return result
