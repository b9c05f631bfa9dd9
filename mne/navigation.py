"""The dashboard's pages, once: file, title, icon, URL path, menu section, the action a role
needs to open it, and whether it shows figures (and so says which values they count).

app.py builds the menu from it (`may_open`: which pages a role's menu offers) and says under
the dashboards which values they count (`DASHBOARD_PATHS`); the HTTP layer (mne.web) knows
which paths are pages (a signed-out visitor of any of them is sent to sign in and back).
"""

from __future__ import annotations

from dataclasses import dataclass

from mne.access import Action, Actor
from mne.i18n import N_


@dataclass(frozen=True)
class PageSpec:
    file: str  # under pages/
    title: str  # a msgid
    icon: str  # a Material icon name
    url_path: str  # "" for the Overview, the default page
    section: str  # a msgid
    action: Action | None = None  # the action a role needs; None: every signed-in role
    dashboard: bool = False  # shows figures, so it says whether submitted values count


PROGRESS, DATA, REFERENCE, ADMINISTRATION = (
    N_("Progress and gaps"),
    N_("Data"),
    N_("Reference"),
    N_("Administration"),
)

PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", N_("Overview"), "dashboard", "", PROGRESS, dashboard=True),
    PageSpec("city.py", N_("City profile"), "location_city", "city", PROGRESS, dashboard=True),
    PageSpec(
        "explorer.py", N_("Indicator explorer"), "bar_chart", "explorer", PROGRESS, dashboard=True
    ),
    PageSpec("compare.py", N_("Compare"), "compare_arrows", "compare", PROGRESS, dashboard=True),
    PageSpec("tasks.py", N_("Priority task groups"), "task_alt", "tasks", PROGRESS, dashboard=True),
    PageSpec("projects.py", N_("ASCN projects"), "apartment", "projects", PROGRESS, dashboard=True),
    PageSpec("coverage.py", N_("Data coverage"), "grid_on", "coverage", PROGRESS, dashboard=True),
    PageSpec("reports.py", N_("Reports"), "summarize", "reports", PROGRESS, dashboard=True),
    PageSpec("entry.py", N_("Enter values"), "edit_note", "entry", DATA, "import"),
    PageSpec("upload.py", N_("Upload"), "upload_file", "upload", DATA, "import"),
    PageSpec("review.py", N_("Approvals"), "fact_check", "review", DATA, "approve"),
    PageSpec("history.py", N_("History"), "history", "history", DATA, "import"),
    PageSpec("catalog.py", N_("Catalog"), "menu_book", "catalog", REFERENCE),
    PageSpec("methodology.py", N_("Methodology"), "functions", "methodology", REFERENCE),
    PageSpec("users.py", N_("Accounts"), "group", "users", ADMINISTRATION, "manage_users"),
    PageSpec("audit.py", N_("Audit log"), "policy", "audit", ADMINISTRATION, "view_audit"),
)

DASHBOARD_PATHS = frozenset(page.url_path for page in PAGES if page.dashboard)
PAGE_PATHS = frozenset(page.url_path for page in PAGES)


def may_open(page: PageSpec, actor: Actor | None, demo_mode: bool) -> bool:
    """Whether the menu offers `page` to `actor`: a page of an action to the roles that may
    do it, and every page in the demo mode (no account yet: the writing pages explain how to
    create the first administrator). A page not offered keeps its path, hidden."""
    if page.action is None or demo_mode:
        return True
    return actor is not None and actor.may(page.action)
