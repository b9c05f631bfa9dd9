"""Review value by value (issue 15, Build 2): the analyst sees each value with the warnings
the upload's checks raise (flagged first), approves some and returns the others with a
comment; the focal point reads which came back and why; a corrected upload ends a return."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from db import models as m
from mne import access, accounts, approval, audit, intake, value_review
from mne.access import Actor, Invalid, operator
from mne.i18n import Translator
from mne.intake import batches

TR = Translator("en")
PASSWORD = "correct horse battery"


def _user(engine: Engine, name: str, role: str, cities: tuple[str, ...] = ()) -> Actor:
    accounts.create_user(engine, operator(), name, PASSWORD, role, city_codes=cities)
    actor = accounts.load_actor_by_name(engine, name)
    assert actor is not None
    return actor


def _import(engine: Engine, actor: Actor, rows: list[tuple[str, str, str, float]]) -> int:
    lines = ["city,indicator,period,value", *(",".join(map(str, r)) for r in rows)]
    preview = intake.check(engine, "\n".join(lines).encode(), "values.csv", TR, actor=actor)
    summary = intake.commit_preview(engine, preview, actor)
    assert summary["status"] == "committed", summary
    return int(summary["batch_id"])


@pytest.fixture
def batch(engine: Engine) -> tuple[int, Actor, Actor]:
    """A focal point's approved 2022 values, then a submitted 2023 batch of three values, one
    of which doubles its 2022 value (the upload warns of the jump)."""
    focal = _user(engine, "focal.hn", "focal_point", ("VNHAN",))
    analyst = _user(engine, "analyst.1", "analyst")
    first = _import(
        engine, focal, [("VNHAN", "QE_PM25", "2022", 36.6), ("VNHAN", "QE_GREEN_SPACE", "2022", 8)]
    )
    approval.approve_batch(engine, analyst, first)
    second = _import(
        engine,
        focal,
        [
            ("VNHAN", "QE_PM25", "2023", 72.4),
            ("VNHAN", "QE_GREEN_SPACE", "2023", 8.2),
            ("VNHAN", "QE_WASTE_RECYCLED", "2023", 21),
        ],
    )
    return second, focal, analyst


def test_flagged_values_come_first_with_the_uploads_warning(
    engine: Engine, batch: tuple[int, Actor, Actor]
) -> None:
    batch_id, _, _ = batch
    shown = value_review.batch_values(engine, batch_id, "en")
    assert len(shown) == batches.batch_value_count(engine, batch_id)
    flagged = shown[shown["warning"] != ""]
    assert list(flagged[["indicator", "period"]].itertuples(index=False, name=None)) == [
        ("QE_PM25", "2023")
    ]
    assert shown.index[shown["warning"] != ""].tolist() == [0]  # first
    assert "36" in flagged["warning"].iloc[0]  # the previous year's value is said
    assert set(shown["status"]) == {"submitted"}


def test_approve_two_return_one_with_a_comment(
    engine: Engine, batch: tuple[int, Actor, Actor]
) -> None:
    batch_id, focal, analyst = batch
    jump = ("VNHAN", "QE_PM25", "2023")
    others = [("VNHAN", "QE_GREEN_SPACE", "2023"), ("VNHAN", "QE_WASTE_RECYCLED", "2023")]
    done = value_review.review_values(
        engine, analyst, batch_id, others, {jump: "Twice last year's: check the station."}
    )
    assert done == value_review.Reviewed(approved=2, returned=1, review_state="returned")
    values = batches.values_frame(engine, city="VNHAN", period="2023").set_index("indicator")
    assert values.loc["QE_PM25", "status"] == "submitted"
    assert set(values.loc[["QE_GREEN_SPACE", "QE_WASTE_RECYCLED"], "status"]) == {"approved"}
    back = value_review.returned_values(engine, city="VNHAN")
    assert back[["indicator", "period", "comment"]].values.tolist() == [
        ["QE_PM25", "2023", "Twice last year's: check the station."]
    ]
    listed = batches.batches_frame(engine).set_index("id")
    assert listed.loc[batch_id, "review_state"] == "returned"
    actions = audit.audit_frame(engine, audit.AuditFilter(user=analyst.username))["action"]
    assert {"approve", "return"} <= set(actions)

    # The focal point corrects the value: the return is over, the batch's other values stay.
    _import(engine, focal, [("VNHAN", "QE_PM25", "2023", 37.1)])
    assert value_review.returned_values(engine, city="VNHAN").empty


def test_a_return_needs_a_comment_and_a_refusal_changes_nothing(
    engine: Engine, batch: tuple[int, Actor, Actor]
) -> None:
    batch_id, focal, analyst = batch
    key = ("VNHAN", "QE_PM25", "2023")
    with pytest.raises(Invalid):
        value_review.review_values(engine, analyst, batch_id, [], {key: "  "})
    with pytest.raises(access.Refused):
        value_review.review_values(engine, focal, batch_id, [key], {})
    with pytest.raises(Invalid):  # not a value of the batch
        value_review.review_values(engine, analyst, batch_id, [("VNHAN", "QE_PM25", "2022")], {})
    with engine.connect() as conn:
        assert conn.execute(select(m.ValueReturn)).first() is None
        statuses = conn.execute(
            select(m.Observation.status).where(m.Observation.batch_id == batch_id)
        ).scalars()
        assert set(statuses) == {"submitted"}


def test_approving_the_whole_batch_ends_its_returns(
    engine: Engine, batch: tuple[int, Actor, Actor]
) -> None:
    batch_id, _, analyst = batch
    value_review.review_values(
        engine, analyst, batch_id, [], {("VNHAN", "QE_PM25", "2023"): "Why?"}
    )
    approval.approve_batch(engine, analyst, batch_id)
    assert value_review.returned_values(engine, batch_id=batch_id).empty
    assert set(batches.values_frame(engine, city="VNHAN", period="2023")["status"]) == {"approved"}
