"""The web half of each question type: its quiz-form field, how the field parses back, its texts.

WEB_REGISTRY maps a question type (lms.domain.questions.REGISTRY) to a QuestionField. The field
names and ids are part of the quiz form's contract (the bench, the security scan and the browser
tests post them): a question is `q<n>`; a part of it is `q<n>-<part id>`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from wtforms import Field, Form, FormField, RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.grading import PresentedQuestion
from ..domain.questions import Option, Question, Response


class QuestionField(ABC):
    """How one question type is shown in a quiz, parsed back, and named for people."""

    type: ClassVar[str]  # the domain type this is the web half of
    label: ClassVar[str]  # the type's name in the instructor's analysis
    hint: ClassVar[str] = ""  # shown under the prompt
    analysis_note: ClassVar[str] = ""  # what the analysis counts for this type
    shows_key: ClassVar[bool] = True  # the analysis rows are options, and the key ones get a badge

    @property
    def template(self) -> str:
        """The partial that renders the field inside the question's fieldset."""
        return f"quiz/_q_{self.type}.html"

    @abstractmethod
    def field(self, question: Question, shown: PresentedQuestion) -> Field:
        """Return the unbound field for a question, its parts in the attempt's fixed order."""

    @abstractmethod
    def parse(self, field: Field) -> Response:
        """Return the response a validated field holds."""

    @abstractmethod
    def form_data(self, name: str, response: Response) -> dict:
        """Return the posted fields that parse back to a (non-blank) response."""


WEB_REGISTRY: dict[str, QuestionField] = {}


def register_field(cls: type[QuestionField]) -> type[QuestionField]:
    """Add a question type's web half to WEB_REGISTRY; raise ValueError if the type already has one."""
    if cls.type in WEB_REGISTRY and type(WEB_REGISTRY[cls.type]) is not cls:
        raise ValueError(f"question type {cls.type!r} already has a form field")
    WEB_REGISTRY[cls.type] = cls()
    return cls


def field_for(question_type: str) -> QuestionField:
    """Return the web half of a question type; raise LookupError if it has none."""
    try:
        return WEB_REGISTRY[question_type]
    except KeyError:
        raise LookupError(f"no form field for question type {question_type!r}") from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OrderingForm(Form):
    """Positions for the items of one ordering question; fields are added per question."""

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        positions = [field.data for field in self]
        if len(set(positions)) != len(positions):
            self.form_errors.append("Two items have the same position. Give each item a different position.")
            return False
        return True


def _choices(question: Question, shown: PresentedQuestion) -> list[SelectChoice]:
    texts = Option.texts(question.options_to_shuffle())
    return [SelectChoice(option_id, texts[option_id]) for option_id in shown.option_order]


def _subform(base: type[Form], name: str, parts: dict[str, Callable[[], Field]]) -> type[Form]:
    """Return a form class with one field per part id (field names are the part ids)."""
    return type(name, (base,), {part_id: make() for part_id, make in parts.items()})


@register_field
class SingleChoiceField(QuestionField):
    type = "single"
    label = "single"
    analysis_note = "How often each option was chosen."

    def field(self, question, shown):
        return RadioField(
            question.prompt, choices=_choices(question, shown), validators=[InputRequired("Choose an answer.")]
        )

    def parse(self, field):
        return field.data

    def form_data(self, name, response):
        return {name: response}


@register_field
class MultipleResponseField(QuestionField):
    type = "multiple"
    label = "multiple"
    hint = "Choose all that apply."
    analysis_note = "How often each option was ticked (a learner may tick several)."

    def field(self, question, shown):
        return MultiCheckboxField(
            question.prompt,
            choices=_choices(question, shown),
            validators=[DataRequired("Choose at least one answer.")],
        )

    def parse(self, field):
        return frozenset(field.data)

    def form_data(self, name, response):
        return {name: sorted(response)}


@register_field
class TrueFalseField(QuestionField):
    type = "true_false"
    label = "true/false"
    analysis_note = "How often each answer was chosen."

    def field(self, question, shown):
        return RadioField(
            question.prompt,
            choices=[SelectChoice("true", "True"), SelectChoice("false", "False")],
            validators=[InputRequired("Choose true or false.")],
        )

    def parse(self, field):
        return field.data == "true"

    def form_data(self, name, response):
        return {name: "true" if response else "false"}


@register_field
class OrderingField(QuestionField):
    type = "ordering"
    label = "ordering"
    hint = "Give each item its position, 1 for the first."
    analysis_note = "How often each item was put in its right place."
    shows_key = False

    def field(self, question, shown):
        texts = Option.texts(question.options_to_shuffle())
        positions = [SelectChoice("", "Choose a position")] + [
            SelectChoice(str(n)) for n in range(1, len(shown.option_order) + 1)
        ]

        def position(item_id: str) -> Callable[[], Field]:
            return lambda: SelectField(
                texts[item_id], choices=positions, validators=[InputRequired("Choose a position.")]
            )

        parts = {item_id: position(item_id) for item_id in shown.option_order}
        return FormField(_subform(OrderingForm, f"Ordering_{question.id}", parts), question.prompt, separator="-")

    def parse(self, field):
        by_position = sorted((int(sub.data), sub.short_name) for sub in field)
        return tuple(item_id for _position, item_id in by_position)

    def form_data(self, name, response):
        return {f"{name}-{item_id}": str(n) for n, item_id in enumerate(response, start=1)}


@register_field
class MatchingField(QuestionField):
    type = "matching"
    label = "matching"
    hint = "Choose the match for each item. Some matches may not be used."
    analysis_note = "How often each term was given its right match."
    shows_key = False

    def field(self, question, shown):
        terms = Option.texts(question.terms_to_shuffle())
        matches = [SelectChoice("", "Choose a match"), *_choices(question, shown)]

        def match(term_id: str) -> Callable[[], Field]:
            return lambda: SelectField(terms[term_id], choices=matches, validators=[InputRequired("Choose a match.")])

        parts = {term_id: match(term_id) for term_id in shown.term_order}
        return FormField(_subform(Form, f"Matching_{question.id}", parts), question.prompt, separator="-")

    def parse(self, field):
        return {sub.short_name: sub.data for sub in field}

    def form_data(self, name, response):
        return {f"{name}-{term_id}": match_id for term_id, match_id in response.items()}
