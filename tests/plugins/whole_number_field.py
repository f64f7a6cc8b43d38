"""The web half of the test-only `whole_number` type: a number input, parsed to an int."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import InputRequired

from lms.web.question_fields import QuestionField


class WholeNumberField(QuestionField):
    type = "whole_number"
    label = "whole number"
    hint = "Type a whole number."
    analysis_note = "How often the number was within the tolerance."

    def field(self, question, shown):
        return IntegerField(question.prompt, validators=[InputRequired("Type a whole number.")])

    def parse(self, field):
        return field.data

    def form_data(self, name, response):
        return {name: str(response)}
