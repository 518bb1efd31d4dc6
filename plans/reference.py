"""Administrative divisions the seed plans' collective units stand for.

A plan writes 各县区政府(管委) or 各设区市人民政府 and means every county/district government
of its city, or every prefecture-level city government of its province. Plans do not list
them, so the divisions of the jurisdictions we know are kept here (public facts, 2016–2024).
Offices can edit a collective's members in the admin for any other jurisdiction.
"""
from __future__ import annotations

import re

COUNTIES = {
    "鹤壁市": ("浚县", "淇县", "淇滨区", "山城区", "鹤山区"),
}

PREFECTURE_CITIES = {
    "福建省": ("福州市", "厦门市", "莆田市", "三明市", "泉州市", "漳州市", "南平市", "龙岩市", "宁德市"),
    "河南省": (
        "郑州市", "开封市", "洛阳市", "平顶山市", "安阳市", "鹤壁市", "新乡市", "焦作市", "濮阳市",
        "许昌市", "漯河市", "三门峡市", "南阳市", "商丘市", "信阳市", "周口市", "驻马店市",
    ),
}

_COUNTY_COLLECTIVE = re.compile(r"^各(?:县|区|县区|县市区|县（市、区）|县\(市、区\))(?:人民)?政府")
_CITY_COLLECTIVE = re.compile(r"^各(?:设区市|地市|市)(?:人民)?政府")


def division_governments(collective: str, jurisdiction: str) -> list[str]:
    """Full names of the governments a collective unit covers, [] when unknown."""
    if _COUNTY_COLLECTIVE.match(collective):
        return [f"{county}人民政府" for county in COUNTIES.get(jurisdiction, ())]
    if _CITY_COLLECTIVE.match(collective):
        return [f"{city}人民政府" for city in PREFECTURE_CITIES.get(jurisdiction, ())]
    return []
