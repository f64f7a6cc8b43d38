"""The readiness score: one pure function that every view (learner, instructor, export) calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .course import GradingMethod, ReadinessSettings
from .grading import passes
from .values import value


@value
class SectionAttempts:
    """What readiness needs to know of one learner's submitted attempts at one section quiz."""

    attempts: int = 0
    first: float | None = None
    latest: float | None = None
    highest: float | None = None
    total: float = 0.0
    passed: bool = False

    @classmethod
    def from_scores(
        cls, scores: Sequence[float], pass_mark: float, passed: Sequence[bool] | None = None
    ) -> SectionAttempts:
        """Summarize scores given in the order the attempts were submitted.

        Give the grader's `passed` flags when known: a stored score is rounded, and the grader
        decides on the unrounded one.
        """
        if not scores:
            return cls()
        return cls(
            attempts=len(scores),
            first=scores[0],
            latest=scores[-1],
            highest=max(scores),
            total=sum(scores),
            passed=any(passed) if passed is not None else any(passes(score, pass_mark) for score in scores),
        )

    def score(self, method: GradingMethod) -> float | None:
        """Return the section score under a grading method, or None if never attempted."""
        if self.attempts == 0:
            return None
        if method is GradingMethod.HIGHEST:
            return self.highest
        if method is GradingMethod.AVERAGE:
            return self.total / self.attempts
        if method is GradingMethod.LATEST:
            return self.latest
        if method is GradingMethod.FIRST:
            return self.first
        raise ValueError(f"unknown grading method: {method!r}")


NOT_ATTEMPTED = SectionAttempts()


@value
class SectionReadiness:
    lesson_id: str
    score: float | None
    weight: float
    passed: bool

    @property
    def attempted(self) -> bool:
        return self.score is not None


@value
class Readiness:
    score: float
    band: str
    provisional: bool
    sections: tuple[SectionReadiness, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Lesson ids whose quiz is not passed yet, in course order."""
        return tuple(section.lesson_id for section in self.sections if not section.passed)

    def weakest(self, limit: int = 2) -> tuple[str, ...]:
        """Lesson ids of the lowest-scoring attempted sections not yet passed, weakest first."""
        failing = [section for section in self.sections if section.attempted and not section.passed]
        failing.sort(key=lambda section: section.score)
        return tuple(section.lesson_id for section in failing[:limit])


def readiness_for(
    settings: ReadinessSettings, lesson_ids: Sequence[str], sections: Mapping[str, SectionAttempts]
) -> Readiness:
    """Combine section attempts into a 0-100 score and band; unattempted sections count 0."""
    parts = []
    for lesson_id in lesson_ids:
        attempts = sections.get(lesson_id, NOT_ATTEMPTED)
        parts.append(
            SectionReadiness(
                lesson_id=lesson_id,
                score=attempts.score(settings.grading),
                weight=settings.weights.get(lesson_id, 1.0),
                passed=attempts.passed,
            )
        )
    total_weight = sum(part.weight for part in parts)
    weighted = sum(part.weight * (part.score or 0.0) for part in parts)
    score = round(weighted / total_weight, 2) if total_weight else 0.0
    all_passed = all(part.passed for part in parts)
    band = settings.bands[-1].name
    for candidate in settings.bands:
        if score >= candidate.min_score and (all_passed or not candidate.all_passed):
            band = candidate.name
            break
    provisional = not all(part.attempted for part in parts)
    return Readiness(score=score, band=band, provisional=provisional, sections=tuple(parts))
