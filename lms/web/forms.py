"""Forms: accounts, enrollment, and quiz forms built from an attempt's fixed questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.course import (
    MatchingQuestion,
    MultipleResponseQuestion,
    OrderingQuestion,
    Question,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from ..domain.grading import PresentedQuestion, Response
from ..domain.passwords import MAX_LENGTH, MIN_LENGTH, password_problems


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


_EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.com.")


def _check_new_password(password: str | None, email: str | None, name: str | None, same_as_current=False) -> None:
    """Raise ValidationError listing every rule a new password breaks (domain.passwords)."""
    problems = password_problems(password or "", email or "", name or "")
    if same_as_current:
        problems.append("Choose a password different from the current one.")
    if problems:
        raise ValidationError(" ".join(problems))


class RegisterForm(FlaskForm):
    name = StringField("Full name", filters=[_strip], validators=[DataRequired("Enter your name."), Length(max=100)])
    email = EmailField(
        "Email", filters=[_strip], validators=[DataRequired("Enter your email."), Length(max=254), _EMAIL]
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password.")],
        description=f"At least {MIN_LENGTH} characters; not a common password.",
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired("Repeat the password."), EqualTo("password", "The passwords do not match.")],
    )

    def validate_password(self, field) -> None:
        _check_new_password(field.data, self.email.data, self.name.data)


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password.")],
        description=f"At least {MIN_LENGTH} characters; not a common password. You stay signed in here; "
        "every other device is signed out.",
    )
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired("Repeat the new password."), EqualTo("password", "The passwords do not match.")],
    )

    def __init__(self, *args, email: str = "", name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email, self._name = email, name

    def validate_password(self, field) -> None:
        same = bool(field.data) and field.data == self.current.data
        _check_new_password(field.data, self._email, self._name, same_as_current=same)


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password to confirm.")])
    confirm = BooleanField(
        "I understand that my progress, quiz attempts and account are deleted for good",
        validators=[DataRequired("Tick the box to confirm.")],
    )


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class ActionForm(FlaskForm):
    """A form with no fields: a button that changes something, protected by CSRF."""


class EnrollForm(FlaskForm):
    code = StringField("Enrollment code", validators=[Optional(), Length(max=100)])


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
            self.form_errors.append("Give each item a different position.")
            return False
        return True


class QuizFormError(ValueError):
    """Raised when a quiz form holds data the attempt never offered (a tampered form)."""


@dataclass(frozen=True)
class QuizItem:
    """What the quiz template needs for one question: its number, the question and its field."""

    number: int
    question: Question
    field_name: str
    option_texts: dict[str, str]


def _position_choices(count: int) -> list[tuple[str, str]]:
    return [SelectChoice("", "Choose a position")] + [SelectChoice(str(n)) for n in range(1, count + 1)]


def build_quiz_form(
    questions: Sequence[Question], presented: Sequence[PresentedQuestion], formdata=None
) -> tuple[FlaskForm, list[QuizItem]]:
    """Build a form for an attempt's questions, options in the attempt's fixed order."""

    class QuizForm(FlaskForm):
        pass

    items = []
    for number, (question, shown) in enumerate(zip(questions, presented, strict=True), start=1):
        name = f"q{number}"
        texts = {option.id: option.text for option in question.options_to_shuffle()}
        field: Field
        if isinstance(question, SingleChoiceQuestion):
            field = RadioField(
                question.prompt,
                choices=[SelectChoice(oid, texts[oid]) for oid in shown.option_order],
                validators=[InputRequired("Choose an answer.")],
            )
        elif isinstance(question, MultipleResponseQuestion):
            field = MultiCheckboxField(
                question.prompt,
                choices=[SelectChoice(oid, texts[oid]) for oid in shown.option_order],
                validators=[DataRequired("Choose at least one answer.")],
                description="Choose all that apply.",
            )
        elif isinstance(question, TrueFalseQuestion):
            field = RadioField(
                question.prompt,
                choices=[SelectChoice("true", "True"), SelectChoice("false", "False")],
                validators=[InputRequired("Choose true or false.")],
            )
        elif isinstance(question, OrderingQuestion):
            subform = type(f"Ordering{number}", (OrderingForm,), {})
            for item_id in shown.option_order:
                setattr(
                    subform,
                    item_id,
                    SelectField(
                        texts[item_id],
                        choices=_position_choices(len(shown.option_order)),
                        validators=[InputRequired("Choose a position.")],
                    ),
                )
            field = FormField(subform, question.prompt, separator="-")
        elif isinstance(question, MatchingQuestion):
            term_texts = {term.id: term.text for term in question.terms}
            subform = type(f"Matching{number}", (Form,), {})
            choices = [SelectChoice("", "Choose a match")] + [
                SelectChoice(oid, texts[oid]) for oid in shown.option_order
            ]
            for term_id in shown.term_order:
                setattr(
                    subform,
                    term_id,
                    SelectField(term_texts[term_id], choices=choices, validators=[InputRequired("Choose a match.")]),
                )
            texts = {**texts, **term_texts}
            field = FormField(subform, question.prompt, separator="-")
        else:
            raise TypeError(f"no form field for question type {question.type!r}")
        setattr(QuizForm, name, field)
        items.append(QuizItem(number, question, name, texts))
    form = QuizForm(formdata=formdata) if formdata is not None else QuizForm()
    return form, items


def _choice_ids(field: Field) -> set[str]:
    return {choice.value for choice in field.choices}


def check_untampered(form: FlaskForm, items: Sequence[QuizItem], formdata) -> None:
    """Raise QuizFormError if the posted data names fields or options the attempt never showed."""
    allowed = {"csrf_token"}
    for item in items:
        field = form[item.field_name]
        if isinstance(field, FormField):
            allowed |= {sub.name for sub in field}
        else:
            allowed.add(field.name)
    unexpected = set(formdata.keys()) - allowed
    if unexpected:
        raise QuizFormError(f"unexpected fields: {', '.join(sorted(unexpected))[:200]}")
    for item in items:
        field = form[item.field_name]
        fields = list(field) if isinstance(field, FormField) else [field]
        for sub in fields:
            valid = _choice_ids(sub)
            for value in formdata.getlist(sub.name):
                if value not in valid:
                    raise QuizFormError(f"{sub.name}: {value[:40]!r} is not an option")
            if not isinstance(sub, SelectMultipleField) and len(formdata.getlist(sub.name)) > 1:
                raise QuizFormError(f"{sub.name}: more than one value")


def responses_from_form(form: FlaskForm, items: Sequence[QuizItem]) -> dict[str, Response]:
    """Turn a validated quiz form into the responses the grader reads."""
    responses: dict[str, Response] = {}
    for item in items:
        field = form[item.field_name]
        question = item.question
        if isinstance(question, SingleChoiceQuestion):
            responses[question.id] = field.data
        elif isinstance(question, MultipleResponseQuestion):
            responses[question.id] = frozenset(field.data)
        elif isinstance(question, TrueFalseQuestion):
            responses[question.id] = field.data == "true"
        elif isinstance(question, OrderingQuestion):
            by_position = sorted((int(sub.data), sub.short_name) for sub in field)
            responses[question.id] = tuple(item_id for _position, item_id in by_position)
        elif isinstance(question, MatchingQuestion):
            responses[question.id] = {sub.short_name: sub.data for sub in field}
    return responses
