"""Rates by role and quarter: comparable rates from the dated on-costs, the cap in force at
quarter end, quartiles, and the share of spend above cap weighted by charge x days."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tests.builders.mou_views import (
    add_cap,
    add_on_costs,
    add_return,
    councils_of_region,
    make_group,
)
from workforce.mou import views
from workforce.mou.models import PayRoute


def test_rates_use_comparable_rates_and_weight_spend_by_charge_and_days(
    reference_session: Session,
) -> None:
    session = reference_session
    councils = councils_of_region(session, 2)
    group = make_group(session, "Rates MoU", councils, rules_from=date(2025, 10, 1))
    add_on_costs(session)  # PAYE: 15% NI + 0.5% levy
    add_cap(session, group.name, 40.0, effective_from=date(2025, 10, 1))
    add_cap(session, group.name, 42.0, effective_from=date(2025, 12, 1))  # in force at Q4 end
    paye = {"pay_route": PayRoute.paye}
    add_return(
        session,
        councils[0],
        [
            # 30 x 1.155 = 34.65, within; all 92 days of the quarter
            {
                **paye,
                "hourly_pay_rate": 30.0,
                "start_date": date(2025, 10, 1),
                "hourly_charge_rate": 40.0,
            },
            # 36 x 1.155 = 41.58 > 40 (cap on its start date): above; 31 days
            {
                **paye,
                "hourly_pay_rate": 36.0,
                "start_date": date(2025, 10, 1),
                "end_date": date(2025, 10, 31),
                "hourly_charge_rate": 50.0,
            },
        ],
    )
    add_return(
        session,
        councils[1],
        # started before the rules applied: transitional, never above cap
        [
            {
                **paye,
                "hourly_pay_rate": 40.0,
                "start_date": date(2025, 9, 1),
                "hourly_charge_rate": 60.0,
            }
        ],
    )
    (cell,) = views.group_rates(session=session, group=group)
    assert cell.basis == views.COMPARABLE and cell.assignments == 3 and cell.councils == 2
    assert (cell.median, cell.maximum) == (41.58, 46.2)
    assert cell.cap == 42.0 and cell.cap_is_example
    total = 40.0 * 92 + 50.0 * 31 + 60.0 * 92
    assert cell.above_cap_spend_share == round(50.0 * 31 / total, 4)
    (spend,) = views.spend_above_cap(session=session, group=group)
    assert spend.quarter == "2025-Q4" and spend.spend_weight == total
    assert "charge rate x the calendar days" in spend.rule
