"""Numbers as Word shows them in a numbered list (`format_list_number`): 一, 十一, 壹拾, 甲,
①, ⑴, １２, iv, …, by the number format of the list level.
"""
from __future__ import annotations

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL_SIMPLIFIED = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_TRADITIONAL = "零壹貳參肆伍陸柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _chinese_number(n: int, digits: str = _CN_DIGITS, units: str = "十百千", *, legal: bool = False) -> str:
    """n in Chinese counting: 十, 十一, 二十, 一百零一, 一千零一十, 一万二千 (legal: 壹拾, 壹拾壹)."""
    if n == 0:
        return digits[0]
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = _chinese_number(low, digits, units, legal=True) if low else ""
        return _chinese_number(high, digits, units, legal=legal) + "万" + (digits[0] if 0 < low < 1000 else "") + rest
    text, zero = "", False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit = n // power % 10
        if digit == 0:
            zero = bool(text)
            continue
        text += (digits[0] if zero else "") + digits[digit] + unit
        zero = False
    if not legal and 10 <= n < 20:
        text = text[1:]  # 十一, not 一十一
    return text


def _enclosed(n: int, ranges: tuple[tuple[int, int, int], ...]) -> str | None:
    for first, last, code in ranges:
        if first <= n <= last:
            return chr(code + n - first)
    return None


def format_list_number(n: int, number_format: str) -> str:
    """The number n as Word shows it in a list numbered in `number_format` (ST_NumberFormat);
    a format or value it has no glyph for falls back to decimal."""
    text = None
    if number_format in ("chineseCounting", "chineseCountingThousand", "japaneseCounting",
                         "taiwaneseCounting", "taiwaneseCountingThousand", "koreanCounting"):
        text = _chinese_number(n)
    elif number_format in ("ideographDigital", "japaneseDigitalTenThousand", "taiwaneseDigital"):
        text = "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    elif number_format == "chineseLegalSimplified":
        text = _chinese_number(n, _CN_LEGAL_SIMPLIFIED, "拾佰仟", legal=True)
    elif number_format in ("ideographLegalTraditional", "japaneseLegal"):
        text = _chinese_number(n, _CN_LEGAL_TRADITIONAL, "拾佰仟", legal=True)
    elif number_format == "ideographTraditional" and 1 <= n <= 10:
        text = _HEAVENLY_STEMS[n - 1]
    elif number_format == "ideographZodiac" and 1 <= n <= 12:
        text = _EARTHLY_BRANCHES[n - 1]
    elif number_format == "ideographZodiacTraditional" and 1 <= n <= 60:
        text = _HEAVENLY_STEMS[(n - 1) % 10] + _EARTHLY_BRANCHES[(n - 1) % 12]
    elif number_format in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        text = _enclosed(n, ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1)))
    elif number_format == "decimalEnclosedFullstop":
        text = _enclosed(n, ((1, 20, 0x2488),))
    elif number_format == "decimalEnclosedParen":
        text = _enclosed(n, ((1, 20, 0x2474),))
    elif number_format == "ideographEnclosedCircle":
        text = _enclosed(n, ((1, 10, 0x3280),))
    elif number_format in ("decimalFullWidth", "decimalFullWidth2"):
        text = str(n).translate(_FULL_WIDTH_DIGITS)
    elif number_format == "decimalZero":
        text = f"{n:02d}"
    elif number_format in ("lowerLetter", "upperLetter") and 1 <= n <= 26 * 4:
        text = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        text = text.upper() if number_format == "upperLetter" else text
    elif number_format in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        text, rest = "", n
        for value, numeral in _ROMAN:
            count, rest = divmod(rest, value)
            text += numeral * count
        text = text.upper() if number_format == "upperRoman" else text
    elif number_format == "none":
        text = ""
    return str(n) if text is None else text

