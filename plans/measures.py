"""Measurement units of targets (万千瓦, 亿美元, %, 天, 微克/立方米 …): which kind of quantity
a unit measures and how many of the kind's base unit it holds, so that a value typed in one
unit is converted exactly (Decimal) into the target's own unit, or refused with a sentence.

A unit is an optional Chinese multiplier (万, 亿, 万亿 …) before a base unit. Units of
different kinds never convert: 元 and 美元 are different currencies, 家 and 个 different
things counted, % and 个百分点 different quantities. A base unit not in the table below is a
kind of its own (so 万辆 still converts to 辆)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DECIMAL_PLACES = 6  # Target.value and IndicatorValue.value
INTEGER_DIGITS = 18  # max_digits 24 − decimal places

_MULTIPLIERS = {  # longest first when matching
    "万亿": Decimal("1e12"),
    "千亿": Decimal("1e11"),
    "百亿": Decimal("1e10"),
    "十亿": Decimal("1e9"),
    "亿": Decimal("1e8"),
    "千万": Decimal("1e7"),
    "百万": Decimal("1e6"),
    "十万": Decimal("1e5"),
    "万": Decimal("1e4"),
}

# base unit → (kind, how many of the kind's base unit it holds)
_BASES: dict[str, tuple[str, Decimal]] = {}


def _define(kind: str, *units: tuple[str, str]) -> None:
    for name, factor in units:
        _BASES[name] = (kind, Decimal(factor))


_define(
    "power",
    ("瓦", "1"), ("W", "1"), ("千瓦", "1e3"), ("kW", "1e3"),
    ("兆瓦", "1e6"), ("MW", "1e6"), ("吉瓦", "1e9"), ("GW", "1e9"),
)
_define(
    "electric_energy",
    ("千瓦时", "1"), ("kWh", "1"), ("度", "1"), ("兆瓦时", "1e3"), ("MWh", "1e3"), ("吉瓦时", "1e6"),
)
_define("coal_equivalent", ("吨标准煤", "1"), ("吨标煤", "1"), ("tce", "1"))
_define(
    "mass",
    ("吨", "1"), ("t", "1"), ("千克", "1e-3"), ("公斤", "1e-3"), ("kg", "1e-3"), ("克", "1e-6"), ("g", "1e-6"),
)
_define("cny", ("元", "1"), ("元人民币", "1"), ("人民币", "1"))
_define("usd", ("美元", "1"))
_define("eur", ("欧元", "1"))
_define("percent", ("%", "1"), ("百分比", "1"))
_define("percentage_point", ("个百分点", "1"), ("百分点", "1"))
_define("days", ("天", "1"), ("日", "1"))
_define("hours", ("小时", "1"), ("h", "1"))
_define(
    "concentration",
    ("微克/立方米", "1"), ("μg/m3", "1"), ("ug/m3", "1"), ("微克每立方米", "1"),
    ("毫克/立方米", "1e3"), ("mg/m3", "1e3"),
)
_define("length", ("米", "1"), ("m", "1"), ("千米", "1e3"), ("公里", "1e3"), ("km", "1e3"))
_define("area", ("平方米", "1"), ("m2", "1"), ("公顷", "1e4"), ("平方公里", "1e6"), ("平方千米", "1e6"), ("km2", "1e6"))
_define("volume", ("立方米", "1"), ("m3", "1"), ("方", "1"))

_KIND_NAMES = {
    "power": "功率", "electric_energy": "电量", "coal_equivalent": "能耗", "mass": "重量", "cny": "人民币金额",
    "usd": "美元金额", "eur": "欧元金额", "percent": "百分比", "percentage_point": "百分点", "days": "天数",
    "hours": "小时数", "concentration": "浓度", "length": "长度", "area": "面积", "volume": "体积",
}


@dataclass(frozen=True)
class Measure:
    text: str  # as written, normalised
    kind: str
    factor: Decimal  # how many of the kind's base unit one of this unit holds

    @property
    def kind_name(self) -> str:
        return _KIND_NAMES.get(self.kind, self.kind.removeprefix("count:") or _("无单位"))


def normalise(text: str) -> str:
    """Full-width forms to half-width (％ → %, ３ → 3), superscripts to digits (m³ → m3),
    spaces dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).replace("µ", "μ")


def measure(unit_text: str) -> Measure:
    """The kind and factor of a measurement unit, e.g. 万千瓦 → (power, 10⁷)."""
    text = normalise(unit_text)
    if text in _BASES:
        kind, factor = _BASES[text]
        return Measure(text, kind, factor)
    for prefix, multiplier in _MULTIPLIERS.items():
        rest = text[len(prefix):]
        if text.startswith(prefix) and rest in _BASES:
            kind, factor = _BASES[rest]
            return Measure(text, kind, multiplier * factor)
    for prefix, multiplier in _MULTIPLIERS.items():  # 万家, 亿次: a multiplier before a counted thing
        if text.startswith(prefix) and len(text) > len(prefix):
            return Measure(text, f"count:{text[len(prefix):]}", multiplier)
    return Measure(text, f"count:{text}", Decimal(1))


def fits(value: Decimal) -> bool:
    """Whether a value is stored exactly with 6 decimal places and 18 integer digits."""
    sign, digits, exponent = value.normalize().as_tuple()
    decimals = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    return decimals <= DECIMAL_PLACES and integer_digits <= INTEGER_DIGITS


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`value` in `from_unit` expressed exactly in `to_unit`; a ValidationError (with the reason,
    in Chinese and English) when the units measure different things or the result cannot be
    stored exactly."""
    source, target = measure(from_unit), measure(to_unit)
    if source.kind != target.kind:
        raise ValidationError(
            _("计量单位“%(given)s”（%(given_kind)s）不能换算为指标的计量单位“%(unit)s”（%(kind)s），请按“%(unit)s”填报 "
              "(the unit %(given)s cannot be converted to the indicator's unit %(unit)s)")
            % {
                "given": source.text or _("无单位"), "given_kind": source.kind_name,
                "unit": target.text or _("无单位"), "kind": target.kind_name,
            },
            code="incompatible_unit",
        )
    with localcontext() as context:
        context.prec = 60
        converted = value * source.factor / target.factor
    if not fits(converted):
        raise ValidationError(
            _("%(value)s%(given)s 换算为“%(unit)s”后为 %(converted)s，"
              "超出可保存的精度（小数点后6位、整数18位），请直接按“%(unit)s”填报 "
              "(the converted value cannot be stored exactly)")
            % {"value": plain(value), "given": source.text, "unit": target.text, "converted": plain(converted)},
            code="precision",
        )
    return converted.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)).normalize() if converted else Decimal(0)


_QUANTITY = re.compile(r"(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+))(?P<unit>.*)")
# "1e5", "2.5E-3 万元": an exponent, not a unit named "e5"
_EXPONENT = re.compile(r"\s*[eE][-+]?\d")
# the digits a stored value can have, plus the 12 a unit prefix (万亿) can shift them by
MAX_TYPED_DIGITS = INTEGER_DIGITS + DECIMAL_PLACES + 12


def parse_quantity(text: str) -> tuple[Decimal, str]:
    """A typed quantity, "12000千瓦", "2.8 万亿元", "６５％" → (Decimal, unit text). A bare number
    has the unit ""; thousands separators are allowed."""
    cleaned = normalise(text).replace(",", "")
    match = _QUANTITY.fullmatch(cleaned)
    if not match:
        raise ValidationError(
            _("“%(text)s”不是数值，请填写数字，可带计量单位，如“12.5万千瓦” (not a number)") % {"text": text},
            code="not_a_number",
        )
    if _EXPONENT.match(match["unit"]):
        raise ValidationError(
            _("“%(text)s”用了科学计数法，请直接写出数字，可带计量单位，如“120000千瓦” "
              "(exponent notation is not accepted: write the number out)")
            % {"text": text},
            code="not_a_number",
        )
    if sum(character.isdigit() for character in match["number"]) > MAX_TYPED_DIGITS:
        raise ValidationError(
            _("“%(text)s”位数过多，超出可保存的范围（整数18位、小数点后6位） (the number is out of range)")
            % {"text": text[:60]},
            code="not_a_number",
        )
    try:
        number = Decimal(match["number"])
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only valid numbers
        raise ValidationError(_("“%(text)s”不是数值 (not a number)") % {"text": text}, code="not_a_number") from error
    return number, match["unit"]


def plain(value: Decimal | None) -> str:
    """A Decimal without exponent or trailing zeros: 10.000000 → "10", 1E+1 → "10"."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text
