"""A typed indicator value in exponent notation is refused with a sentence: "1e999999" was read
as 1 with the unit "e999999" (and "1e3万千瓦" as 1 with the unit "e3万千瓦")."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from plans.measures import parse_quantity


@pytest.mark.parametrize("text", ["1e999999", "1E5", "2.5e-3", "1e3万千瓦", "1e+2 %", "１ｅ５", "-1e-999999999"])
def test_exponent_notation_is_refused_with_a_sentence(text):
    with pytest.raises(ValidationError) as refused:
        parse_quantity(text)
    message = refused.value.messages[0]
    assert "科学计数法" in message, message


def test_a_number_longer_than_can_be_stored_is_refused():
    with pytest.raises(ValidationError) as refused:
        parse_quantity("9" * 200 + "万元")
    assert "超出" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.5万千瓦", (D("12.5"), "万千瓦")), ("3 EJ", (D("3"), "EJ")), ("65%", (D("65"), "%")), ("5e", (D("5"), "e"))],
)
def test_units_that_are_not_exponents_still_read(text, expected):
    assert parse_quantity(text) == expected
