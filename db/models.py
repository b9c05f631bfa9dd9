"""The store's tables, as SQLAlchemy 2.0 typed models.

One module for the whole data model of design.md, so a reader sees every table and key in one
place. Names in three languages are columns (name_vi, name_en, name_id) rather than a
translation table: the catalog is small, always read whole, and the three languages are fixed.
Enumerations are plain strings guarded by CHECK constraints, which read the same on SQLite and
PostgreSQL and need no ALTER TYPE when a value is added.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

# Stable constraint names, so Alembic migrations (and SQLite batch mode) can find them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DIRECTIONS = ("higher", "lower")
TARGET_KINDS = ("official", "international", "guideline", "illustrative", "user_set")
# Whom a target applies to: every city of the network, the cities of one country, one city.
TARGET_SCOPES = ("network", "country", "city")
# What happened to a reporting unit (the 2025 reorganisation in Viet Nam merged provinces
# into cities and dissolved district-level cities).
CITY_EVENT_KINDS = ("merge", "split", "rename", "dissolve")
CITY_EVENT_ROLES = ("predecessor", "successor")
OBSERVATION_STATUSES = ("draft", "submitted", "approved")
BATCH_STATES = ("committed", "reverted")
# A batch's place in the approval workflow (DHIS2's data approval): a focal point's upload is
# submitted; an analyst approves it or returns it with a comment, and may reopen an approved one.
REVIEW_STATES = ("submitted", "approved", "returned")
TASK_STATUSES = ("not_started", "on_track", "at_risk", "late", "done")
PROJECT_STATUSES = ("planning", "ongoing", "completed")
FINANCING_SOURCES = ("state_budget", "oda", "ppp", "private", "other")
ROLES = ("viewer", "focal_point", "analyst", "admin")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def _now() -> MappedColumn[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Named:
    """Mixin: a stable code and a name in each of the three languages."""

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    name_id: Mapped[str] = mapped_column(String(300))


# --- Framework -------------------------------------------------------------------------------


class StrategicOutcome(Named, Base):
    """The three strategic outcomes of the ASEAN Smart Cities Framework."""

    __tablename__ = "strategic_outcome"
    id: Mapped[int] = mapped_column(primary_key=True)


class FocusArea(Named, Base):
    """The six ASCN focus areas."""

    __tablename__ = "focus_area"
    id: Mapped[int] = mapped_column(primary_key=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_id: Mapped[str] = mapped_column(Text, default="")


class Indicator(Named, Base):
    __tablename__ = "indicator"
    __table_args__ = (CheckConstraint(_in("direction", DIRECTIONS), name="direction"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_area.id"), index=True)
    unit: Mapped[str] = mapped_column(String(80))
    direction: Mapped[str] = mapped_column(String(8))
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    plausible_min: Mapped[float] = mapped_column(Float)
    plausible_max: Mapped[float] = mapped_column(Float)
    definition_vi: Mapped[str] = mapped_column(Text, default="")
    definition_en: Mapped[str] = mapped_column(Text, default="")
    definition_id: Mapped[str] = mapped_column(Text, default="")
    source_standard: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # False for raw counts (flood points): shown on a city's own page, kept out of the
    # network's 0-100 scores and indices, since counts of different cities do not compare.
    comparable: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # A value the indicator cannot pass (100 for a share): Open SDG's natural-limit rule.
    natural_limit: Mapped[float | None] = mapped_column(Float)
    # Edited by an administrator: `python -m mne init` no longer overwrites it from the seed.
    changed_in_app: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class IndicatorAlias(Base):
    """Other codes or names a file may use for an indicator (U4SSC code, SDG number, DHIS2 uid).

    `alias_key` is the alias folded for matching (see mne.text.fold)."""

    __tablename__ = "indicator_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(300))
    alias_key: Mapped[str] = mapped_column(String(300), unique=True)
    added_in_app: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Country(Base):
    __tablename__ = "country"
    iso2: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    name_id: Mapped[str] = mapped_column(String(120))


class City(Base):
    """A reporting unit. Units merge and get renamed: valid_from/valid_to and replaced_by keep
    old series readable."""

    __tablename__ = "city"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    country_iso2: Mapped[str] = mapped_column(ForeignKey("country.iso2"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    ascn_joined: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    # Edited by an administrator: `python -m mne init` no longer overwrites it from the seed.
    changed_in_app: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CityEvent(Base):
    """A merger, split, rename or dissolution of reporting units, in force on `event_date`.
    A city's series before and after it count different things: a series break."""

    __tablename__ = "city_event"
    __table_args__ = (CheckConstraint(_in("kind", CITY_EVENT_KINDS), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    event_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(300), default="")
    # Units outside the catalog that took part (provinces merged in, wards that succeed).
    others_vi: Mapped[str] = mapped_column(Text, default="")
    others_en: Mapped[str] = mapped_column(Text, default="")
    others_id: Mapped[str] = mapped_column(Text, default="")


class CityEventCity(Base):
    """A city of the catalog in an event: a predecessor, a successor, or (a city that
    continues with new borders) both."""

    __tablename__ = "city_event_city"
    __table_args__ = (CheckConstraint(_in("role", CITY_EVENT_ROLES), name="role"),)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("city_event.id", ondelete="CASCADE"), primary_key=True
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)


class CityAlias(Base):
    """Names a file may use for a city ("TP.HCM", "Sài Gòn", "Ha Noi"); matched on alias_key."""

    __tablename__ = "city_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    alias_key: Mapped[str] = mapped_column(String(200), unique=True)
    added_in_app: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Target(Base):
    """A target milestone: the value for an indicator in a year, for every city (scope
    network), the cities of one country (scope country, country_iso2 set) or one city (scope
    city, city_id set). The rows of one indicator and scope are the target's milestones.
    A band target (a range: inside is achieved) has its upper edge in value_high."""

    __tablename__ = "target"
    __table_args__ = (
        CheckConstraint(_in("kind", TARGET_KINDS), name="kind"),
        CheckConstraint(_in("scope", TARGET_SCOPES), name="scope"),
        UniqueConstraint("indicator_id", "city_id", "year", name="uq_target_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    scope: Mapped[str] = mapped_column(String(8), default="network", server_default="network")
    country_iso2: Mapped[str | None] = mapped_column(ForeignKey("country.iso2"))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    value_high: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200), default="")
    note_vi: Mapped[str] = mapped_column(Text, default="")
    note_en: Mapped[str] = mapped_column(Text, default="")
    note_id: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


# --- Observations and their provenance ------------------------------------------------------


class UploadBatch(Base):
    """One committed file (or the demo generator): what came in, from whom, with what result."""

    __tablename__ = "upload_batch"
    __table_args__ = (
        CheckConstraint(_in("state", BATCH_STATES), name="state"),
        CheckConstraint(_in("review_state", REVIEW_STATES), name="review_state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    user_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = _now()
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="committed")
    reverted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    review_state: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    reviewed_by: Mapped[str] = mapped_column(String(120), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_comment: Mapped[str] = mapped_column(Text, default="")


class Observation(Base):
    """The current value of city x indicator x period. `year` is derived from `period`
    ("2024", "2024-Q1", "2024-03") so scoring can roll up to years in SQL."""

    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("city_id", "indicator_id", "period", name="uq_observation_key"),
        CheckConstraint(_in("status", OBSERVATION_STATUSES), name="status"),
        # A batch's values in key order: reverting deletes by batch, History reads a batch's
        # first values without sorting all of them (migration 0004).
        Index("ix_observation_batch_key", "batch_id", "city_id", "indicator_id", "period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    period: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    batch_id: Mapped[int] = mapped_column(ForeignKey("upload_batch.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[dt.datetime] = _now()


class ObservationHistory(Base):
    """A value that a later batch replaced or removed. Reverting `replaced_by_batch_id`
    puts it back, so every batch can be undone exactly."""

    __tablename__ = "observation_history"
    __table_args__ = (
        # The values a batch replaced, found by their key: reverting the batch restores each
        # with one index look-up, and History pairs each new value with its old one (0004).
        Index(
            "ix_observation_history_replaced_by_key",
            "replaced_by_batch_id",
            "city_id",
            "indicator_id",
            "period",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    period: Mapped[str] = mapped_column(String(7))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[int] = mapped_column(ForeignKey("upload_batch.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    replaced_by_batch_id: Mapped[int] = mapped_column(ForeignKey("upload_batch.id"))
    replaced_at: Mapped[dt.datetime] = _now()


# --- Forum task groups and ASCN projects ----------------------------------------------------


class ThematicTrack(Named, Base):
    __tablename__ = "thematic_track"
    id: Mapped[int] = mapped_column(primary_key=True)


class Instrument(Named, Base):
    """The forum's implementation instruments (regulations, shared data, finance, governance)."""

    __tablename__ = "instrument"
    id: Mapped[int] = mapped_column(primary_key=True)


class TaskGroup(Named, Base):
    __tablename__ = "task_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("thematic_track.id"))


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint(_in("status", TASK_STATUSES), name="status"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    task_group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id"), index=True)
    title_vi: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400))
    title_id: Mapped[str] = mapped_column(String(400))
    lead_agency: Mapped[str] = mapped_column(String(300), default="")
    partners: Mapped[str] = mapped_column(String(500), default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    percent_complete: Mapped[float] = mapped_column(Float, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class TaskCity(Base):
    """The cities a task covers; none means nationwide."""

    __tablename__ = "task_city"
    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), primary_key=True)


class TaskIndicator(Base):
    """Indicators a task is meant to move."""

    __tablename__ = "task_indicator"
    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), primary_key=True)


class TaskUpdate(Base):
    """A dated progress report on a task."""

    __tablename__ = "task_update"
    __table_args__ = (
        CheckConstraint(_in("status", TASK_STATUSES), name="status"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    report_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    percent_complete: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = _now()
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class ScapProject(Base):
    """A project of a city's Smart City Action Plan, as counted in the ASCN M&E reports."""

    __tablename__ = "scap_project"
    __table_args__ = (
        CheckConstraint(_in("status", PROJECT_STATUSES), name="status"),
        CheckConstraint(_in("financing", FINANCING_SOURCES), name="financing"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), index=True)
    focus_area_id: Mapped[int] = mapped_column(ForeignKey("focus_area.id"))
    title_vi: Mapped[str] = mapped_column(String(400))
    title_en: Mapped[str] = mapped_column(String(400))
    title_id: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(16))
    financing: Mapped[str] = mapped_column(String(16))
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


# --- Accounts and audit ---------------------------------------------------------------------


class AppUser(Base):
    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    language: Mapped[str] = mapped_column(String(2), default="vi")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _now()


class AppSession(Base):
    """A signed-in browser: the cookie holds a random token, the store only its SHA-256, so a
    read of this table signs nobody in. Every app server checks the same rows, so a reload, a
    new tab or another server keeps the user signed in; revoking a row signs the browser out."""

    __tablename__ = "app_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str] = mapped_column(String(300), default="")


TOKEN_SCOPES = ("read", "read+import")


class ApiToken(Base):
    """A bearer token of an account for /api/v1/ (mne.api_tokens): the store keeps only its
    SHA-256. Its scope is "read" or "read+import"; the account's role limits it further."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint(_in("scope", TOKEN_SCOPES), name="scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SignInCode(Base):
    """A single-use code, valid for seconds, that the browser exchanges for a session cookie
    (single sign-on ends in a Streamlit page, which cannot set a cookie itself)."""

    __tablename__ = "sign_in_code"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ValueReturn(Base):
    """A value of a batch an analyst sent back to its focal point, with why (per-value
    review). The value stays submitted; it counts as returned while it is still the batch's."""

    __tablename__ = "value_return"
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("upload_batch.id", ondelete="CASCADE"), primary_key=True
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    comment: Mapped[str] = mapped_column(Text)
    returned_by: Mapped[str] = mapped_column(String(120))
    returned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class UserCity(Base):
    """The cities a focal point may change."""

    __tablename__ = "user_city"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), primary_key=True)


class AuditLog(Base):
    """Every write: who, when, what, before -> after (JSON text). Never updated or deleted."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    user_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(80), default="")
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class StoreVersion(Base):
    """One row: a number every write transaction advances (db.engine.writing), so a cache on
    any app server can tell with one cheap read whether what it holds is still the store."""

    __tablename__ = "store_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)


def table(model: type[Base]) -> Table:
    """A model's Core table, typed as one (Model.__table__ is typed as a mere FromClause)."""
    core = model.__table__
    assert isinstance(core, Table)
    return core


class SourceMapping(Base):
    """The mapping a person gave for a source's files (its header row), offered again the next
    time a file of that source is uploaded (mne.intake.memory)."""

    __tablename__ = "source_mapping"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(64), unique=True)
    headers: Mapped[str] = mapped_column(Text, default="")
    entries: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of KIND:WRITTEN=TARGET
    user_name: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[dt.datetime] = _now()
