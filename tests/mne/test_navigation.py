"""The page registry (mne.navigation): one entry per page file, each path once, and the menu
of each role read from the action registry (mne.access.ACTIONS)."""

from __future__ import annotations

from typing import get_args

import pytest

from mne import navigation
from mne.access import ACTIONS, ROLES, Action, Actor
from mne.navigation import PAGES
from tests.conftest import ROOT

# Pages app.py routes outside the menu (the single sign-on landing page).
OUTSIDE_THE_MENU = {"sso.py"}


def test_every_page_file_is_registered_once_under_one_path() -> None:
    files = {p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")}
    assert sorted(spec.file for spec in PAGES) == sorted(files - OUTSIDE_THE_MENU)
    assert len({spec.url_path for spec in PAGES}) == len(PAGES)
    assert [spec.url_path for spec in PAGES].count("") == 1  # one default page


def test_every_action_has_its_roles_and_label() -> None:
    assert set(ACTIONS) == set(get_args(Action))
    for spec in ACTIONS.values():
        assert spec.roles <= set(ROLES) and spec.label


WRITE_PAGES = {"entry.py", "upload.py", "review.py", "history.py", "users.py", "audit.py"}
# Of the pages that change data or are the administrator's, those each role's menu offers.
OFFERED = {
    "viewer": set(),
    "focal_point": {"entry.py", "upload.py", "history.py"},
    "analyst": {"entry.py", "upload.py", "review.py", "history.py"},
    "admin": WRITE_PAGES,
}


@pytest.mark.parametrize("role", ROLES)
def test_a_roles_menu_offers_the_pages_of_its_actions(role: str) -> None:
    actor = Actor(username=role, role=role, user_id=1)
    offered = {spec.file for spec in PAGES if navigation.may_open(spec, actor, demo_mode=False)}
    every_role = {spec.file for spec in PAGES} - WRITE_PAGES
    assert offered == every_role | OFFERED[role]


def test_the_demo_mode_offers_every_page() -> None:
    assert all(navigation.may_open(spec, None, demo_mode=True) for spec in PAGES)
