"""Monitoring input and output shapes."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from dati.errors import Invalid
from dati.i18n import gettext as _
from dati.monitoring.models import Aggregation, Framework, ReferenceKind
from dati.monitoring.status import Status

FIRST_YEAR, LAST_YEAR = 2015, 2035
# Control characters (NUL and the like) but not tab and line breaks: PostgreSQL refuses NUL in
# text, and none belongs in a value, a source or a comment.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_ERROR = "control_characters"


class ActualValueCreate(BaseModel):
    """An actual value entered by the responsible institution (a number, or text for the
    qualitative targets)."""

    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    value: float | None = Field(default=None, allow_inf_nan=False)
    value_text: str = Field(default="", max_length=2000)
    measured_on: date
    source: str = Field(min_length=1, max_length=300)
    comment: str = Field(default="", max_length=4000)

    @field_validator("value", mode="before")
    @classmethod
    def _latvian_number(cls, value: object) -> object:
        """Accepts 93.9 and the Latvian 93,9, with spaces as thousands separators."""
        if not isinstance(value, str):
            return value
        text = value.replace("\xa0", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        return text or None

    @field_validator("value_text", "source", "comment")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        if CONTROL_CHARACTERS.search(value):
            raise PydanticCustomError(CONTROL_ERROR, "the text holds control characters")
        return value

    @model_validator(mode="after")
    def _something_given(self) -> ActualValueCreate:
        if self.value is None and not self.value_text.strip():
            raise ValueError("give a number or a text value")
        return self


def field_messages() -> dict[str, str]:
    """What to tell a person who filled a field wrongly, by field (form and CSV import)."""
    return {
        "year": _("Enter a year between {first} and {last}.", first=FIRST_YEAR, last=LAST_YEAR),
        "value": _("Enter a number, for example 93,9."),
        "value_text": _("The text is too long."),
        "measured_on": _("Enter the date as YYYY-MM-DD."),
        "source": _("Name the source of the value."),
        "comment": _("The comment is too long."),
        "": _("Enter a number or describe the progress in words."),
    }


def actual_from_fields(fields: dict[str, str]) -> ActualValueCreate:
    """Build the input from text fields, with a translated message beside each wrong field."""
    try:
        return ActualValueCreate.model_validate(
            {k: v for k, v in fields.items() if k != "measured_on" or v}
        )
    except ValidationError as exc:
        messages = field_messages()
        errors: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            if error["type"] == CONTROL_ERROR:
                message = _("Remove the control characters (such as NUL) from this text.")
            else:
                message = messages.get(name, messages[""])
            errors.setdefault(name or "value", message)
        raise Invalid(next(iter(errors.values())), errors=errors) from None


class ActualValueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int
    value: float | None
    value_text: str
    measured_on: date
    source: str
    comment: str
    computed: bool
    recorded_at: datetime
    recorded_by: str
    replaces_id: int | None


class ReferenceValueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: ReferenceKind
    year: int
    value: float | None
    value_text: str
    unit: str
    note: str


class YearStatusRead(BaseModel):
    year: int
    expected: float | None
    actual: float | None
    actual_text: str
    status: Status
    provisional: bool


class IndicatorSummaryRead(BaseModel):
    code: str
    framework: Framework
    group_code: str
    name_lv: str
    name_en: str
    unit: str
    aggregation: Aggregation
    responsible: str
    computed: bool
    year: int
    expected: float | None
    actual: float | None
    status: Status
    provisional: bool


class IndicatorRead(IndicatorSummaryRead):
    co_responsible: str
    source: str
    method_lv: str
    method_en: str
    is_result_indicator: bool
    status_rule: str
    references: list[ReferenceValueRead]
    statuses: list[YearStatusRead]
    values: list[ActualValueRead]


class LoadResult(BaseModel):
    created: int
    updated: int
    unchanged: int


class RefreshResult(BaseModel):
    year: int
    measured: list[str]
    not_measured: list[str]
    changed: list[str]
    champion_categories_measured: list[str]


class ImportResult(BaseModel):
    imported: int


class ChampionEntryRead(BaseModel):
    rank: int
    org: str
    name_lv: str
    name_en: str
    value: float
    points: float


class ChampionCategoryRead(BaseModel):
    code: str
    title: str
    method: str
    measured: bool
    entries: list[ChampionEntryRead]


class ChampionRead(BaseModel):
    year: int
    computed_at: datetime | None
    method: str
    overall: list[ChampionEntryRead]
    categories: list[ChampionCategoryRead]


class ReportSectionRead(BaseModel):
    code: str
    title_lv: str
    title_en: str
    indicators: list[IndicatorSummaryRead]


class ReportRead(BaseModel):
    year: int
    title: str
    status_rule: str
    counts: dict[str, int]
    sections: list[ReportSectionRead]
