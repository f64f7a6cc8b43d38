"""Forms: accounts, enrollment, and quiz forms built from an attempt's fixed questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FormField,
    HiddenField,
    PasswordField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from ..domain.grading import PresentedQuestion
from ..domain.passwords import MAX_LENGTH, MIN_LENGTH, password_problems
from ..domain.questions import Question, Response
from .question_fields import QuestionField, field_for
from .texts import password_problem_text


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


_EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.com.")


def _check_new_password(password: str | None, email: str | None, name: str | None, same_as_current=False) -> None:
    """Raise ValidationError listing every rule a new password breaks (domain.passwords)."""
    problems = [password_problem_text(code) for code in password_problems(password or "", email or "", name or "")]
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


class _NewPasswordForm(FlaskForm):
    """A new password twice, checked against the account's own email and name (given to the constructor)."""

    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired("Repeat the new password."), EqualTo("password", "The passwords do not match.")],
    )

    def __init__(self, *args, email: str = "", name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._email, self._name = email, name


class ChangePasswordForm(_NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password.")],
        description=f"At least {MIN_LENGTH} characters; not a common password. You stay signed in here; "
        "every other device is signed out.",
    )

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


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email", filters=[_strip], validators=[DataRequired("Enter your email."), Length(max=254), _EMAIL]
    )


class ResetPasswordForm(_NewPasswordForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Choose a new password.")],
        description=f"At least {MIN_LENGTH} characters; not a common password. Every device is signed out.",
    )

    def validate_password(self, field) -> None:
        _check_new_password(field.data, self._email, self._name)


class ActionForm(FlaskForm):
    """A form with no fields: a button that changes something, protected by CSRF."""


class EnrollForm(FlaskForm):
    code = StringField("Enrollment code", validators=[Optional(), Length(max=100)])


class QuizFormError(ValueError):
    """Raised when a quiz form holds data the attempt never offered (a tampered form)."""


@dataclass(frozen=True)
class QuizItem:
    """What the quiz template needs for one question: its number, the question, its field and type's web half."""

    number: int
    question: Question
    field_name: str
    kind: QuestionField


def build_quiz_form(
    questions: Sequence[Question], presented: Sequence[PresentedQuestion], formdata=None
) -> tuple[FlaskForm, list[QuizItem]]:
    """Build a form for an attempt's questions, parts in its fixed order; LookupError for a type with no field."""

    class QuizForm(FlaskForm):
        pass

    items = []
    for number, (question, shown) in enumerate(zip(questions, presented, strict=True), start=1):
        name = f"q{number}"
        kind = field_for(question.type)
        setattr(QuizForm, name, kind.field(question, shown))
        items.append(QuizItem(number, question, name, kind))
    form = QuizForm(formdata=formdata) if formdata is not None else QuizForm()
    return form, items


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
            # A field with choices (radio, checkbox, select) takes only the values it offered.
            choices = getattr(sub, "choices", None)
            valid = {choice.value for choice in choices} if choices is not None else None
            for value in formdata.getlist(sub.name):
                if valid is not None and value not in valid:
                    raise QuizFormError(f"{sub.name}: {value[:40]!r} is not an option")
            if not isinstance(sub, SelectMultipleField) and len(formdata.getlist(sub.name)) > 1:
                raise QuizFormError(f"{sub.name}: more than one value")


def responses_from_form(form: FlaskForm, items: Sequence[QuizItem]) -> dict[str, Response]:
    """Turn a validated quiz form into the responses the grader reads."""
    return {item.question.id: item.kind.parse(form[item.field_name]) for item in items}
