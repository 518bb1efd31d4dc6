"""The world the clients act in: the open period, its plan's office, units with their tokens, hot reports."""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .api import Http
from .config import SetupError


@dataclass
class Actors:
    """A unit of the plan with its official's and leader's tokens and its reports in the period."""

    id: int
    name: str
    official: str
    leader: str
    reports: list[int]
    tasks: list[int]


@dataclass
class World:
    plan: int
    plan_title: str
    period: int
    period_label: str
    office: str
    office_username: str
    units: list[Actors]
    hot: list[int]
    hot_official: str
    tasks: list[int]
    report_count: int


def _all_pages(http: Http, path: str, token: str) -> list[dict]:
    rows = []
    while path:
        reply = http.request("GET", path, token)
        if reply.status != 200:
            raise SetupError(f"GET {path}: {reply.status} {reply.data}")
        rows.extend(reply.data["results"])
        following = reply.data.get("next")
        path = urlunsplit(("", "", *urlsplit(following)[2:4], "")) if following else None
    return rows


def get_tokens(port: int, accounts: list[dict], budget: float = 120.0) -> dict[str, str]:
    """username → API token (POST /api/auth/token/, a few in parallel). The endpoint is
    throttled (20/min per address, counted across the workers): a 429 is retried every 5 s,
    within `budget` seconds."""
    deadline = time.monotonic() + budget

    def one(account: dict) -> tuple[str, str]:
        http = Http(port)
        while True:
            reply = http.request(
                "POST", "/api/auth/token/", body={"username": account["username"], "password": account["password"]},
            )
            if reply.status == 200:
                return account["username"], reply.data["token"]
            if reply.status == 429 and time.monotonic() < deadline:
                time.sleep(min(5.0, max(0.5, deadline - time.monotonic())))
                continue
            raise SetupError(f"token for {account['username']}: {reply.status} {reply.data}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, accounts))


def prepare_world(port: int, accounts: list[dict], units: int = 8, hot: int = 2) -> World:
    """The open period with the most reports, its plan's office and the `units` units with the
    most reports in it (each with an official and a leader); `hot` reports of the first unit
    are raced on by every client."""
    by_name = {account["username"]: account for account in accounts}
    admin = next(account for account in accounts if account["role"] == "superuser")
    token = get_tokens(port, [admin])[admin["username"]]
    http = Http(port)
    periods = _all_pages(http, "/api/periods/?is_open=true&page_size=100", token)
    if not periods:
        raise SetupError("no open reporting period (demo_periods --historical opens one per plan)")
    reports_of = {
        period["id"]: _all_pages(http, f"/api/reports/?period={period['id']}&page_size=500", token)
        for period in periods
    }
    period = max(periods, key=lambda period: len(reports_of[period["id"]]))
    reports = reports_of[period["id"]]
    plan = http.request("GET", f"/api/plans/{period['plan']}/", token).data
    unit_names = {unit["id"]: unit["name"] for unit in _all_pages(http, "/api/units/?page_size=500", token)}
    office = next(
        (account for account in accounts if account["role"] == "office" and plan["title"] in account["plans"]), None,
    )
    if office is None:
        raise SetupError(f"no office account for {plan['title']}")
    accounts_of_unit = defaultdict(dict)
    for account in accounts:
        if account["role"] in ("official", "leader") and account["unit"]:
            accounts_of_unit[account["unit"]][account["role"]] = account["username"]
    per_unit = Counter(report["unit"] for report in reports)
    chosen = [
        unit for unit, _count in sorted(per_unit.items(), key=lambda item: (-item[1], item[0]))
        if {"official", "leader"} <= set(accounts_of_unit[unit_names[unit]])
    ][:units]
    if not chosen:
        raise SetupError("no unit with an official and a leader has reports in the open period")
    wanted = [by_name[office["username"]]] + [
        by_name[accounts_of_unit[unit_names[unit]][role]] for unit in chosen for role in ("official", "leader")
    ]
    tokens = get_tokens(port, wanted)
    actors = []
    for unit in chosen:
        rows = sorted((report for report in reports if report["unit"] == unit), key=lambda report: report["id"])
        names = accounts_of_unit[unit_names[unit]]
        actors.append(Actors(
            id=unit, name=unit_names[unit], official=tokens[names["official"]], leader=tokens[names["leader"]],
            reports=[report["id"] for report in rows], tasks=sorted({report["task"] for report in rows}),
        ))
    hot_reports = actors[0].reports[:hot]
    actors[0].reports = actors[0].reports[hot:] or actors[0].reports  # the hot ones are only raced on
    return World(
        plan=plan["id"], plan_title=plan["title"], period=period["id"], period_label=period["label"],
        office=tokens[office["username"]], office_username=office["username"], units=actors, hot=hot_reports,
        hot_official=actors[0].official, tasks=sorted({report["task"] for report in reports}),
        report_count=len(reports),
    )

