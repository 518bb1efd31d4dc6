"""A rule the database checks answers a sentence, never its constraint's name ("约束
plans_deadline_date_or_phrase 是无效的"): in the admin's forms and the API alike, which
both validate through the model."""
from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from plans.models import Deadline, DeadlineKind, ReportingPeriod
from tests.factories import PlanFactory, TaskFactory


def rules_the_database_checks():
    """Every check constraint and conditional unique constraint of the app's models: the ones
    whose default message would name the constraint."""
    for model in apps.get_app_config("plans").get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) or getattr(constraint, "condition", None) is not None:
                yield pytest.param(constraint, id=constraint.name)


@pytest.mark.parametrize("constraint", list(rules_the_database_checks()))
def test_every_rule_has_a_sentence(constraint):
    with translation.override(None):  # the code's own words: both languages, each site shows its own
        message = str(constraint.get_violation_error_message())
    assert constraint.name not in message
    assert "(" in message and message[0] not in "(（", message  # Chinese first, English in parentheses


def messages(error: ValidationError) -> list[str]:
    return [message for messages in error.message_dict.values() for message in messages]


@pytest.mark.django_db
def test_a_due_date_with_neither_date_nor_phrase_is_a_sentence():
    deadline = Deadline(task=TaskFactory(), kind=DeadlineKind.DUE, date=None, text="", position=1)
    with pytest.raises(ValidationError) as caught:
        deadline.validate_constraints()
    text = " ".join(messages(caught.value))
    assert "plans_deadline_date_or_phrase" not in text
    assert "完成时限" in text, text


@pytest.mark.django_db
def test_a_period_ending_before_it_starts_is_a_sentence():
    period = ReportingPeriod(
        plan=PlanFactory(), label="2024年第1季度", start=datetime.date(2024, 3, 31), end=datetime.date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        period.full_clean()
    text = " ".join(messages(caught.value))
    assert "plans_reportingperiod_ordered" not in text
    assert "结束" in text, text
