"""MQA scores match a hand calculation; URL checks feed the score; aggregates and advice."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.catalog import distributions, quality
from dati.catalog.models import UrlCheck
from dati.catalog.schemas import DistributionCreate
from tests.catalog.conftest import MakeResource


def test_hand_checked_score_of_a_well_described_resource(
    make_resource: MakeResource, session: Session, system: Actor
) -> None:
    resource = make_resource(
        "Valsts adrešu reģistra dati",
        owner="VZD",
        description_lv="Adreses un adresācijas objekti.",
        keywords_lv=["adrese"],
        themes=["REGI"],  # findability: 30 + 30
        temporal_start=date(2010, 1, 1),  # + 20 (no spatial: 0) = 80
        licence="https://www.vzd.gov.lv/licence",  # licence 20, not from the vocabulary: 0
        contact_email="adreses@vzd.gov.lv",  # contact 20
        issued=date(2015, 5, 1),  # issued 5, modified missing: 0
    )
    session.add(
        UrlCheck(
            url="https://data.vzd.gov.lv/adreses",
            status_code=503,
            reachable=False,
            checked_at=clock.now(),
        )
    )
    distributions.add_distribution(
        session=session,
        actor=system,
        name=resource.name,
        data=DistributionCreate(
            access_url="https://data.vzd.gov.lv/adreses",  # does not answer: 0
            download_url="https://data.vzd.gov.lv/adreses.xlsx",  # present 20, never checked: 0
            format="XLSX",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            byte_size=123456,  # byte size 5
        ),
    )
    # interoperability: format 20 + media type 10 + vocabulary 10 + proprietary 0 + machine-readable 20
    #                   + DCAT-AP 30 = 90
    # reusability: licence 20 + 0 + access rights 10 + 5 + contact 20 + publisher 10 = 65
    # contextuality: rights 0 + byte size 5 + issued 5 + modified 0 = 10
    # total 80 + 20 + 90 + 65 + 10 = 265 -> good
    result = quality.assess_resource(session=session, actor=Actor.anonymous(), resource=resource)
    assert result.dimensions == {
        "findability": (80, 100),
        "accessibility": (20, 100),
        "interoperability": (90, 110),
        "reusability": (65, 75),
        "contextuality": (10, 20),
    }
    assert result.score == 265 and result.rating == "good"
    assert resource.quality_score == 265
    # the download URL is given but does not answer (30) outranks spatial coverage (20)
    assert [(a.key, a.points) for a in result.advice[:3]] == [
        ("access_url_reachable", 50),
        ("download_url_reachable", 30),
        ("spatial", 20),
    ]


def test_hand_checked_score_of_a_thin_resource(
    make_resource: MakeResource, session: Session
) -> None:
    resource = make_resource(
        "Iekšējais saraksts",
        owner="VID",
        access_rights="non_public",
        description_lv="Darba saraksts.",  # DCAT-AP compliant: 30 (no distributions)
        contact_email="info@vid.gov.lv",  # 20
        issued=date(2020, 1, 1),  # 5
    )
    # findability 0, accessibility 0, interoperability 30, reusability 10+5+20+10 = 45, context 5
    result = quality.assess_resource(session=session, actor=Actor.anonymous(), resource=resource)
    assert result.score == 80 and result.rating == "bad"
    # no distribution at all: add one (access 50); a download URL is worth 20 + 30 together
    assert (result.advice[0].key, result.advice[0].points) == ("access_url_reachable", 50)
    assert result.advice[0].text.startswith("Add a distribution")
    assert ("download_url", 50) in [(a.key, a.points) for a in result.advice]
    assert "distribution" in {m.key for m in result.missing_properties}
    assert 0 < result.completeness < 50


def test_free_text_formats_break_dcat_ap_compliance(
    make_resource: MakeResource, session: Session, system: Actor
) -> None:
    resource = make_resource(description_lv="Apraksts.")
    distributions.add_distribution(
        session=session,
        actor=system,
        name=resource.name,
        data=DistributionCreate(access_url="https://example.lv/x", format="Excel fails"),
    )
    result = quality.assess_resource(session=session, actor=Actor.anonymous(), resource=resource)
    assert (
        not result.met["dcat_ap"] and not result.met["format_vocabulary"] and result.met["format"]
    )


def test_ratings_follow_the_eu_scale() -> None:
    assert [quality.rating(s) for s in (405, 351, 350, 221, 220, 120, 119, 0)] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "sufficient",
        "sufficient",
        "bad",
        "bad",
    ]


def test_overview_per_institution_and_nation(make_resource: MakeResource, session: Session) -> None:
    make_resource("A", owner="VZD", description_lv="a", contact_email="a@vzd.gov.lv")
    make_resource("B", owner="VZD")
    make_resource("C", owner="UR", keywords_lv=["x"], themes=["ECON"], description_lv="c")
    national, rows = quality.overview(session=session, actor=Actor.anonymous())
    assert national.resources == 3 and national.ratings["bad"] == 3
    by_org = {r.org.short_name: r for r in rows}
    assert by_org["VZD"].resources == 2
    # keywords 30 + themes 30 + DCAT-AP 30 + access rights 10 + 5 + publisher 10
    assert by_org["UR"].average_score == 115.0 and by_org["UR"].rating == "bad"


def test_every_indicator_and_property_label_is_translated() -> None:
    from dati import i18n

    texts = [i.label for i in quality.INDICATORS] + [i.advice for i in quality.INDICATORS]
    texts += [c.label for c in quality.COMPLETENESS] + list(quality.RATING_LABELS.values())
    texts += list(quality.DIMENSIONS)
    missing = [t for t in texts if t not in i18n.messages("lv")]
    assert not missing
