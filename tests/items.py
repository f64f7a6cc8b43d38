"""Build quiz items in code for pure tests: one call per item, the key listed first."""

from lms.domain.questions import (
    MatchingQuestion,
    MultipleResponseQuestion,
    Option,
    SingleChoiceQuestion,
    TrueFalseQuestion,
    option_id,
)


def single(qid: str, answer: str, distractors: list[str], prompt: str = "Which one?", objectives=("staff",)):
    options = tuple(_option(qid, text) for text in [answer, *distractors])
    return SingleChoiceQuestion(**_common(qid, prompt, objectives), options=options, answer_id=options[0].id)


def multiple(qid: str, answers: list[str], distractors: list[str], prompt: str = "Which?", objectives=("staff",)):
    options = tuple(_option(qid, text) for text in [*answers, *distractors])
    keys = frozenset(option.id for option in options[: len(answers)])
    return MultipleResponseQuestion(**_common(qid, prompt, objectives), options=options, answer_ids=keys)


def true_false(qid: str, statement: str, answer: bool, objectives=("staff",)):
    return TrueFalseQuestion(**_common(qid, statement, objectives), answer=answer)


def matching(qid: str, pairs: list[tuple[str, str]], prompt: str = "Match them.", objectives=("staff",)):
    terms = tuple(_option(qid, term) for term, _ in pairs)
    matches = tuple(_option(qid, match) for _, match in pairs)
    key = {term.id: match.id for term, match in zip(terms, matches, strict=True)}
    return MatchingQuestion(**_common(qid, prompt, objectives), terms=terms, matches=matches, key=key)


def _option(qid: str, text: str) -> Option:
    return Option(option_id(qid, text), text)


def _common(qid: str, prompt: str, objectives) -> dict:
    return {
        "id": qid,
        "lesson_id": "duties",
        "prompt": prompt,
        "explanation": "Because.",
        "source": "x",
        "source_anchor": "p1",
        "objectives": tuple(objectives),
    }
