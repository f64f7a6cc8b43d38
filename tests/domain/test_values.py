"""`value` classes behave as `dataclass(frozen=True)` ones, with the quicker __init__ where it applies."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import InitVar, dataclass, field

import pytest

from lms.domain.values import value


def _pair(body: dict, **options):
    """The same class made by `value` and by `dataclass(frozen=True)`."""
    made = []
    for decorate in (value(**options), dataclass(frozen=True, **options)):
        namespace = dict(body)
        made.append(decorate(type("Sample", (), namespace)))
    return made


@value
class Plain:
    name: str
    count: int
    score: float | None = None


@dataclass(frozen=True)
class PlainReference:
    name: str
    count: int
    score: float | None = None


@value(slots=True)
class Slotted:
    name: str
    count: int
    score: float | None = None


@dataclass(frozen=True, slots=True)
class SlottedReference:
    name: str
    count: int
    score: float | None = None


WITH_FACTORY = {"__annotations__": {"name": "str", "tags": "list"}, "tags": field(default_factory=list)}


def _post_init(self):
    if self.count < 0:
        raise ValueError("count below 0")
    object.__setattr__(self, "label", f"{self.name} x{self.count}")


CHECKED = {"__annotations__": {"name": "str", "count": "int"}, "__post_init__": _post_init}


@pytest.mark.parametrize("ours, theirs", [(Plain, PlainReference), (Slotted, SlottedReference)], ids=["dict", "slots"])
def test_a_value_is_what_a_frozen_dataclass_is(ours, theirs):
    quick = ours is Plain  # a slotted class keeps dataclass's own __init__
    assert getattr(ours.__init__, "quick_value_init", False) == quick
    assert ours.__init__.__qualname__ == f"{ours.__qualname__}.__init__"
    for args, kwargs in [(("a", 1), {}), (("a", 1, 2.5), {}), (("a",), {"count": 2}), ((), {"count": 3, "name": "b"})]:
        mine, reference = ours(*args, **kwargs), theirs(*args, **kwargs)
        assert dataclasses.astuple(mine) == dataclasses.astuple(reference)
        assert repr(mine).replace(ours.__name__, "X") == repr(reference).replace(theirs.__name__, "X")
        assert mine == ours(*args, **kwargs) and hash(mine) == hash(ours(*args, **kwargs))
        assert mine != ours("other", 0)
        assert pickle.loads(pickle.dumps(mine)) == mine and copy.copy(mine) == mine
        assert dataclasses.replace(mine, count=9).count == 9
        with pytest.raises(dataclasses.FrozenInstanceError):
            mine.count = 5
        with pytest.raises(dataclasses.FrozenInstanceError):
            del mine.name
    for bad_args, bad_kwargs in [((), {}), (("a",), {}), (("a", 1), {"other": 1}), (("a", 1, 2, 3), {})]:
        for cls in (ours, theirs):
            with pytest.raises(TypeError):
                cls(*bad_args, **bad_kwargs)


def test_default_factories_and_post_init_run_as_dataclass_runs_them():
    ours, theirs = _pair(WITH_FACTORY)
    first, second = ours("a"), ours("b")
    assert first.tags == [] and first.tags is not second.tags, "a new list for each"
    assert ours("a", ["x"]).tags == ["x"] == theirs("a", ["x"]).tags
    ours, theirs = _pair(CHECKED)
    assert ours("a", 2).label == "a x2" == theirs("a", 2).label
    with pytest.raises(ValueError, match="count below 0"):
        ours("a", -1)


def test_what_it_does_not_handle_keeps_dataclasses_own_init():
    @value
    class WithInitVar:
        name: str
        scale: InitVar[int] = 1

        def __post_init__(self, scale):
            object.__setattr__(self, "name", self.name * scale)

    @value(kw_only=True)
    class KeywordsOnly:
        name: str

    @value
    class Awkward:
        self_name: str
        _value_dict: int

    for cls, made, expected in [
        (WithInitVar, lambda: WithInitVar("ab", 2), "abab"),
        (KeywordsOnly, lambda: KeywordsOnly(name="n"), "n"),
        (Awkward, lambda: Awkward("n", 1), "n"),
    ]:
        assert not hasattr(cls.__init__, "quick_value_init")
        instance = made()
        assert next(iter(dataclasses.astuple(instance))) == expected
        with pytest.raises(dataclasses.FrozenInstanceError):
            instance.name = "x"


def test_the_values_a_learner_page_builds_use_the_quick_init():
    from lms.domain.next_step import BandGoal, LessonState, NextStep
    from lms.domain.readiness import Readiness, SectionAttempts, SectionReadiness
    from lms.models import ProgressRecord
    from lms.services.progress import CourseProgress
    from lms.web.progress_view import LessonToDo, ProgressView, SectionRow
    from lms.web.session_records import StoredSession
    from lms.web.sessions import CourseRecords

    hot = [ProgressRecord, SectionAttempts, SectionReadiness, Readiness, LessonState, NextStep, BandGoal]
    hot += [CourseProgress, SectionRow, LessonToDo, ProgressView, StoredSession, CourseRecords]
    for cls in hot:
        assert getattr(cls.__init__, "quick_value_init", False), cls
