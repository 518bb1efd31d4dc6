"""`make run`'s demo data gives each seed indicator a value for every closed period, once."""
import pytest
from django.core.management import call_command

from plans.services.seeds import SEED_PLANS, fixture_path
from devtools.demo import demo_accounts_ensure, demo_indicator_values, demo_periods_open
from plans.indicators import IndicatorStatus, status
from plans.models import IndicatorValue, ReportingPeriod, Target

pytestmark = pytest.mark.django_db


def test_demo_values_fill_every_closed_period_of_every_indicator_once():
    call_command("loaddata", *[str(fixture_path(seed)) for seed in SEED_PLANS], verbosity=0)
    demo_accounts_ensure()
    demo_periods_open(historical=True)  # the seed plans' last periods open, as a demo of 2016 would have

    entered = demo_indicator_values()

    expected = sum(
        ReportingPeriod.objects.filter(plan=target.plan, is_open=False).count() for target in Target.objects.filter(is_active=True)
    )
    assert entered == expected == IndicatorValue.objects.count() > 0
    assert demo_indicator_values() == 0
    statuses = {status(v.target, v.target.plan, v.value, v.period.end) for v in IndicatorValue.objects.select_related("target__plan", "period")}
    assert IndicatorStatus.NO_VALUE not in statuses and len(statuses) >= 2  # the demo shows more than one status
