"""The human-readable agreement, in Latvian or English: the clauses shared by the HTML page and
the PDF, both read from the signed document itself (never from the database's other columns)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dati import i18n
from dati.audit.chain import timestamp
from dati.exchange.agreements.models import Agreement
from dati.i18n import gettext as _
from dati.pdf import PdfReport

OPERATOR_WORDS = {
    "eq": "equals",
    "ne": "does not equal",
    "in": "is one of",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is greater than",
    "gte": "is at least",
}
STATUS_LABELS = {
    "awaiting_provider": "Awaiting the provider's signature",
    "awaiting_recipient": "Awaiting the recipient's signature",
    "active": "Signed and in force",
    "suspended": "Suspended",
    "revoked": "Revoked",
    "superseded": "Replaced by a newer version",
    "expired": "Expired",
}
PARTY_LABELS = {"provider": "Provider", "recipient": "Recipient"}


def condition_text(condition: dict[str, Any]) -> str:
    values = ", ".join(str(v) for v in condition["values"])
    return (
        f"{condition['field']} {_(OPERATOR_WORDS.get(condition['op'], condition['op']))} {values}"
    )


def org_name(org: dict[str, Any]) -> str:
    return i18n.pick(org.get("name_lv"), org.get("name_en"))


@dataclass(frozen=True)
class Clauses:
    """The agreement's terms as label/value pairs and tables, in the current language."""

    title: str
    parties: list[tuple[str, str]]
    terms: list[tuple[str, str]]
    fields: list[tuple[str, str, str]]  # name, title, how it is given
    conditions: list[str]


def clauses(doc: dict[str, Any]) -> Clauses:
    hidden = set(doc["pseudonymised_fields"])
    policy = doc["resource"]["version_policy"]
    version_text = (
        _("only version {version}", version=policy.get("version"))
        if policy["policy"] == "pinned"
        else _("the latest published version")
    )
    provider, recipient = doc["provider"], doc["recipient"]
    return Clauses(
        title=_(
            "Data exchange agreement {number}, version {version}",
            number=doc["number"],
            version=doc["version"],
        ),
        parties=[
            (
                _("Provider"),
                f"{org_name(provider)} ({provider['short_name']}, {provider.get('reg_number') or '—'})",
            ),
            (
                _("Recipient"),
                f"{org_name(recipient)} ({recipient['short_name']}, {recipient.get('reg_number') or '—'})",
            ),
        ],
        terms=[
            (
                _("Resource"),
                f"{i18n.pick(doc['resource']['title_lv'], doc['resource']['title_en'])} ({doc['resource']['name']})",
            ),
            (_("Resource versions"), version_text),
            (_("Purpose"), doc["purpose"]),
            (_("Legal basis"), doc["legal_basis"]),
            (
                _("Valid"),
                _(
                    "from {start} to {end}",
                    start=doc["validity"]["from"],
                    end=doc["validity"]["until"],
                ),
            ),
            (_("Requests a day"), _("at most {count}", count=doc["limits"]["requests_per_day"])),
            (_("Rows a day"), _("at most {count}", count=doc["limits"]["rows_per_day"])),
            (_("Retention"), _("{days} days", days=doc["retention"]["days"])),
            (_("Retention duties"), doc["retention"]["duties"]),
            (_("Access request"), doc.get("access_request") or "—"),
            (_("Drawn up"), doc["issued"]),
        ],
        fields=[
            (
                f["name"],
                i18n.pick(f.get("title_lv"), f.get("title_en")),
                _("pseudonymised") if f["name"] in hidden else _("as stored"),
            )
            for f in doc["fields"]
        ],
        conditions=[condition_text(c) for c in doc["row_conditions"]],
    )


def agreement_pdf(agreement: Agreement) -> bytes:
    """The agreement as a PDF in the current language, with its signatures and document hash."""
    doc = agreement.document
    found = clauses(doc)
    pdf = PdfReport(
        found.title, subtitle=_(STATUS_LABELS[agreement.status.value]), lang=i18n.get_language()
    )
    pdf.heading(_("Parties"))
    pdf.key_values(found.parties)
    pdf.heading(_("Terms"))
    pdf.key_values(found.terms)
    pdf.heading(_("Fields"))
    pdf.table([_("Field"), _("Title"), _("Given")], found.fields, col_widths=(50, 90, 40))
    pdf.heading(_("Row conditions"))
    pdf.paragraph(
        "\n".join(found.conditions) if found.conditions else _("All rows of the resource.")
    )
    pdf.heading(_("Signatures"))
    if agreement.signatures:
        pdf.table(
            [_("Party"), _("Institution"), _("Signed by"), _("Time (UTC)"), _("Key fingerprint")],
            [
                (
                    _(PARTY_LABELS[s.party.value]),
                    s.organisation.short_name,
                    s.signer_name,
                    timestamp(s.signed_at),
                    s.key_fingerprint[:16] + "…",
                )
                for s in agreement.signatures
            ],
            col_widths=(25, 25, 40, 50, 40),
        )
    else:
        pdf.paragraph(_("Not signed yet."))
    # Short paragraphs: the PDF justifies every line but a paragraph's last.
    pdf.paragraph(_("SHA-256 of the signed machine-readable document:"))
    pdf.paragraph(agreement.document_sha256)
    pdf.paragraph(
        _(
            "Anyone can check the signatures offline with dati agreement verify FILE, or at /api/v1/agreements/verification."
        )
    )
    return pdf.output()
