"""Session-plan arithmetic and editing shared by the prepare page: minutes that always sum to the session
length, and the mentor's own changes to the plan (text, order, added and deleted blocks, pins).

app.js re-balances live in the browser with the same rule (pinned blocks keep their minutes, the others
share the rest in proportion); the server applies it again on every post and on save, so a plan stored
from any client sums to the session length.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from companion import schemas


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


# --------------------------------------------------------------------------------------
# The mentor's own plan: edit, reorder, add, delete, pin, undo (the prepare page)
# --------------------------------------------------------------------------------------
MAX_BLOCKS = 20
TITLE_MAX = 120
PURPOSE_MAX = 600
PROMPTS_MAX = 8
PROMPT_MAX = 300
HISTORY_MAX = 5
"""How many earlier states of the plan the page carries for Undo."""
NEW_TITLE = "New block"

# A plan the page carries back holds generated text, which is looser than what a person may type
# (a model's draft allows 200-character titles): it is held to these bounds, typed text to the ones above.
CARRIED_TITLE_MAX = 200
CARRIED_PURPOSE_MAX = 1000
CARRIED_PROMPTS_MAX = 12
CARRIED_PROMPT_MAX = 500
CARRIED_CITATIONS_MAX = 40


class PlanError(ValueError):
    """A change to the plan that cannot be made, in words for the person who asked for it."""


class Snapshot(BaseModel):
    """One earlier state of the plan, carried by the page for Undo: the blocks, the agenda's citations and
    which blocks were pinned."""

    model_config = ConfigDict(extra="forbid")

    items: list[schemas.AgendaItem]
    citations: list[schemas.Citation] = Field(default_factory=list)
    pinned: list[int] = Field(default_factory=list)


HISTORY = TypeAdapter(list[Snapshot])


def quoted(text: str) -> str:
    return f"“{text if len(text) <= 60 else text[:59] + '…'}”"


def names(items: Sequence[schemas.AgendaItem], chosen: Sequence[int]) -> str:
    return ", ".join(quoted(items[i].title) for i in chosen)


def check_carried(items: Sequence[schemas.AgendaItem], what: str = "The plan on this page") -> None:
    """Refuse, in words, a carried plan that no page of ours could have sent (it is client-carried)."""
    again = "; please generate it again."
    if not 1 <= len(items) <= MAX_BLOCKS:
        raise PlanError(f"{what} has {len(items)} blocks; a plan holds 1 to {MAX_BLOCKS}{again}")
    for number, item in enumerate(items, 1):
        texts = [item.title, item.purpose, *item.prompts]
        if any(_has_control(t) for t in texts):
            raise PlanError(f"{what} has a control character in block {number}{again}")
        if not item.title.strip() or len(item.title) > CARRIED_TITLE_MAX:
            raise PlanError(f"{what} has a block {number} title that is empty or too long{again}")
        if len(item.purpose) > CARRIED_PURPOSE_MAX:
            raise PlanError(f"{what} has a block {number} purpose longer than {CARRIED_PURPOSE_MAX} characters{again}")
        if len(item.prompts) > CARRIED_PROMPTS_MAX or any(len(p) > CARRIED_PROMPT_MAX for p in item.prompts):
            raise PlanError(f"{what} has more or longer questions in block {number} than a plan can hold{again}")
        if len(item.citations) > CARRIED_CITATIONS_MAX:
            raise PlanError(f"{what} has more sources in block {number} than a plan can hold{again}")


def _has_control(text: str) -> bool:
    return any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text)


def edit_text(
    item: schemas.AgendaItem, number: int, title: str | None, purpose: str | None, prompts: str | None
) -> tuple[schemas.AgendaItem, dict[str, str]]:
    """The block with the text the mentor typed (None: the field was not sent, so it stays), and what is wrong
    with it by field. Text the mentor changed is held to the typing limits; the block keeps its citations."""
    errors: dict[str, str] = {}
    block = f"Block {number} ({quoted(item.title)})"
    edited = item.model_copy(deep=True)
    if title is not None:
        value = " ".join(title.split())
        if not value:
            errors["title"] = f"Title of block {number}: it is empty; give the block a title, or delete the block."
        elif _has_control(value):
            errors["title"] = f"Title of block {number}: remove the control character; it cannot be stored."
        elif value != item.title and len(value) > TITLE_MAX:
            errors["title"] = (
                f"Title of block {number}: {len(value)} characters is too long; keep it to {TITLE_MAX} or fewer."
            )
        else:
            edited.title = value
    if purpose is not None:
        value = "\n".join(line.rstrip() for line in purpose.replace("\r\n", "\n").strip().split("\n"))
        if _has_control(value):
            errors["purpose"] = f"Purpose of {block.lower()}: remove the control character; it cannot be stored."
        elif value != item.purpose and len(value) > PURPOSE_MAX:
            errors["purpose"] = (
                f"Purpose of {block.lower()}: {len(value)} characters is too long; keep it to {PURPOSE_MAX} or fewer."
            )
        else:
            edited.purpose = value
    if prompts is not None:
        values = [" ".join(line.split()) for line in prompts.splitlines() if line.strip()]
        longest = max((len(p) for p in values), default=0)
        if any(_has_control(p) for p in values):
            errors["prompts"] = f"Questions of {block.lower()}: remove the control character; it cannot be stored."
        elif values != item.prompts and len(values) > PROMPTS_MAX:
            errors["prompts"] = (
                f"Questions of {block.lower()}: {len(values)} questions are too many; keep it to {PROMPTS_MAX} or fewer, "
                "one per line."
            )
        elif values != item.prompts and longest > PROMPT_MAX:
            errors["prompts"] = (
                f"Questions of {block.lower()}: a question of {longest} characters is too long; keep each to "
                f"{PROMPT_MAX} or fewer."
            )
        else:
            edited.prompts = values
    return edited, errors


def most_minutes(minutes: Sequence[int], pinned: Sequence[bool], total: int, index: int) -> int:
    """The most minutes block `index` may have: what the pinned others keep and a minute for every other
    unpinned block come off the session first."""
    others = [j for j in range(len(minutes)) if j != index]
    return total - sum(minutes[j] for j in others if pinned[j]) - sum(1 for j in others if not pinned[j])


def share(minutes: Sequence[int], total: int, fixed: Sequence[bool]) -> list[int] | None:
    """The fixed blocks keep their minutes and the others share the rest in proportion to what they had; None
    when that cannot give every block a minute or more (or nothing is free to take up the difference)."""
    free = [i for i, f in enumerate(fixed) if not f]
    room = total - sum(m for m, f in zip(minutes, fixed, strict=True) if f)
    if not free:
        return list(minutes) if room == 0 else None
    if room < len(free):
        return None
    result = list(minutes)
    for i, value in zip(free, distribute([minutes[i] for i in free], room), strict=True):
        result[i] = value
    return result


def pinned_problem(items: Sequence[schemas.AgendaItem], pinned: Sequence[bool], total: int) -> str | None:
    """Why the pinned blocks leave no room for the others, in words (None when they do)."""
    kept = sum(item.minutes for item, p in zip(items, pinned, strict=True) if p)
    others = sum(1 for p in pinned if not p)
    if others and total - kept >= others:
        return None
    chosen = [i for i, p in enumerate(pinned) if p]
    if not others:
        if kept == total:
            return None
        return (
            f"Every block is pinned and they add up to {kept} minutes, not the session's {total}; unpin a block so "
            "it can take up the difference."
        )
    return (
        f"The pinned blocks ({names(items, chosen)}) keep {kept} of the {total} minutes, which leaves less than a "
        f"minute for each of the {others} other block{'s' * (others != 1)}; unpin one or give it fewer minutes."
    )


def fit_minutes(
    items: list[schemas.AgendaItem], pinned: Sequence[bool], total: int, kept: Sequence[bool] | None = None
) -> None:
    """Make the blocks' minutes sum to `total`: pinned blocks and those the mentor just changed (`kept`) keep
    theirs, the others share the rest in proportion. Refused in words when that leaves a block under a
    minute; a typed number is never scaled or clamped behind the mentor's back."""
    minutes = [item.minutes for item in items]
    if sum(minutes) == total and min(minutes) >= 1:
        return
    problem = pinned_problem(items, pinned, total)
    if problem:
        raise PlanError(problem)
    kept = kept or [False] * len(items)
    fixed = [p or k for p, k in zip(pinned, kept, strict=True)]
    values = share(minutes, total, fixed)
    if values is None:
        changed = [i for i, k in enumerate(kept) if k and not pinned[i]]
        taken = sum(minutes[i] for i, f in enumerate(fixed) if f)
        free = len(items) - sum(fixed)
        if not free:
            raise PlanError(
                f"The blocks add up to {sum(minutes)} minutes, not the session's {total}, and every block is pinned "
                f"or was just changed, so none can take up the difference; make them add up to {total}, or leave "
                "one block's minutes as they were."
            )
        raise PlanError(
            f"The blocks you changed ({names(items, changed)}) and the pinned ones take {taken} of the {total} "
            f"minutes, which leaves less than a minute for each of the {free} other block{'s' * (free != 1)}; "
            "give them fewer minutes."
        )
    for item, value in zip(items, values, strict=True):
        item.minutes = value


def move(items: list[schemas.AgendaItem], pinned: list[bool], index: int, step: int) -> int:
    """Move block `index` one place up (-1) or down (+1), its pin with it; returns where it went."""
    target = index + step
    if not (0 <= index < len(items) and 0 <= target < len(items)):
        raise PlanError("That block cannot move further that way.")
    items[index], items[target] = items[target], items[index]
    pinned[index], pinned[target] = pinned[target], pinned[index]
    return target


def delete(agenda: schemas.Agenda, pinned: list[bool], index: int, total: int) -> None:
    """Drop block `index` and the citations only it had; its minutes go to the unpinned blocks in proportion."""
    items = agenda.items
    if not 0 <= index < len(items):
        raise PlanError("That block is no longer on the page; please reload.")
    gone = items[index]
    if len(items) == 1:
        raise PlanError(f"{quoted(gone.title)} is the only block and a plan needs one; change it instead.")
    if all(p for i, p in enumerate(pinned) if i != index):
        raise PlanError(
            f"{quoted(gone.title)} cannot be deleted while every other block is pinned: its {gone.minutes} minutes "
            "would have nowhere to go. Unpin a block first."
        )
    del items[index]
    del pinned[index]
    still = {c.chunk_id for item in items for c in item.citations}
    dropped = {c.chunk_id for c in gone.citations} - still
    agenda.citations = [c for c in agenda.citations if c.chunk_id not in dropped]
    fit_minutes(items, pinned, total)


def add(items: list[schemas.AgendaItem], pinned: list[bool], total: int) -> int:
    """Add an empty, unpinned block without citations at the end, with a fair share of the minutes taken from
    the unpinned blocks in proportion; returns its index."""
    if len(items) >= MAX_BLOCKS:
        raise PlanError(f"A plan holds at most {MAX_BLOCKS} blocks; delete one before adding another.")
    kept = sum(item.minutes for item, p in zip(items, pinned, strict=True) if p)
    others = sum(1 for p in pinned if not p)
    room = total - kept - others
    if room < 1:
        raise PlanError(
            f"There is no minute left for a new block: the pinned blocks keep {kept} of the {total} minutes and "
            f"each of the {others} other block{'s' * (others != 1)} needs one. Unpin a block or give it fewer "
            "minutes first."
        )
    items.append(
        schemas.AgendaItem(title=NEW_TITLE, minutes=min(max(1, round(total / (len(items) + 1))), room), purpose="")
    )
    pinned.append(False)
    fixed = [*pinned[:-1], True]
    values = share([item.minutes for item in items], total, fixed)
    assert values is not None  # room was checked above
    for item, value in zip(items, values, strict=True):
        item.minutes = value
    return len(items) - 1
