"""Which AI Act obligations a system has, for its class and the institution's role, and from when.

Dates follow Article 113: prohibitions and AI literacy from 2 February 2025, general-purpose AI
models from 2 August 2025, everything else from 2 August 2026, and high-risk systems that are
Annex I products (Art. 6(1)) from 2 August 2027.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dati.ai.models import AiRole
from dati.ai.verdict import Classification, FindingKind, Gpai, RiskClass
from dati.i18n import pick

PROHIBITIONS_AND_LITERACY = date(2025, 2, 2)
GENERAL_PURPOSE_AI = date(2025, 8, 2)
GENERAL = date(2026, 8, 2)
ANNEX_I_PRODUCTS = date(2027, 8, 2)
# Art. 111(2): high-risk systems already in service before the general date and used by public
# authorities must comply by this date unless significantly changed. Shown as a note only: the
# register cannot know whether a design changed, and must not assume the later date.
LEGACY_PUBLIC_AUTHORITY = date(2030, 8, 2)

APPLICATION_DATES = (PROHIBITIONS_AND_LITERACY, GENERAL_PURPOSE_AI, GENERAL, ANNEX_I_PRODUCTS)


@dataclass(frozen=True)
class Obligation:
    code: str
    ref: str
    title_lv: str
    title_en: str
    action_lv: str
    action_en: str

    @property
    def title(self) -> str:
        return pick(self.title_lv, self.title_en)

    @property
    def action(self) -> str:
        return pick(self.action_lv, self.action_en)


@dataclass(frozen=True)
class Due:
    obligation: Obligation
    applies_from: date


def _o(
    code: str, ref: str, title_lv: str, title_en: str, action_lv: str, action_en: str
) -> Obligation:
    return Obligation(code, ref, title_lv, title_en, action_lv, action_en)


CATALOGUE = {
    o.code: o
    for o in (
        _o("ai_literacy", "Art. 4", "MI pratība", "AI literacy",
           "Nodrošiniet pietiekamu MI pratību darbiniekiem, kas sistēmu lieto vai uztur.",
           "Ensure a sufficient level of AI literacy of the staff who operate or use the system."),
        _o("stop_prohibited", "Art. 5(1)", "Pārtraukt aizliegto praksi", "Stop the prohibited practice",
           "Sistēmu nedrīkst laist tirgū, nodot ekspluatācijā vai lietot; pārtrauciet to un dokumentējiet.",
           "The system may not be placed on the market, put into service or used: stop it and record how."),
        _o("rbi_authorisation", "Art. 5(3)", "Iepriekšēja atļauja katrai lietošanai", "Prior authorisation for each use",
           "Katrai lietošanai saņemiet tiesas vai neatkarīgas iestādes atļauju un paziņojiet par to uzraugiem.",
           "Obtain a judicial or independent authorisation for each use and notify the supervisory authorities."),
        _o("provider_requirements", "Art. 16", "Nodrošinātāja pienākumi", "Provider obligations",
           "Riska pārvaldība, datu pārvaldība, tehniskā dokumentācija, žurnāli, cilvēka virsuzraudzība, kvalitātes vadība, atbilstības novērtēšana un ES atbilstības deklarācija.",
           "Risk management, data governance, technical documentation, logs, human oversight, quality management, conformity assessment and an EU declaration of conformity."),
        _o("provider_registration", "Art. 49(1)", "Reģistrācija ES datubāzē (nodrošinātājs)", "Registration in the EU database (provider)",
           "Pirms laišanas tirgū vai nodošanas ekspluatācijā reģistrējiet sevi un sistēmu ES datubāzē.",
           "Register yourself and the system in the EU database before placing it on the market or putting it into service."),
        _o("national_registration", "Art. 49(5)", "Reģistrācija valsts līmenī", "Registration at national level",
           "Kritiskās infrastruktūras drošības sastāvdaļas reģistrē valsts līmenī, nevis ES datubāzē.",
           "Safety components of critical infrastructure are registered at national level, not in the EU database."),
        _o("deployer_instructions", "Art. 26(1)", "Lietošana saskaņā ar instrukciju", "Use according to the instructions",
           "Veiciet tehniskus un organizatoriskus pasākumus, lai sistēmu lietotu saskaņā ar lietošanas instrukciju.",
           "Take technical and organisational measures to use the system in accordance with its instructions for use."),
        _o("deployer_oversight", "Art. 26(2)", "Cilvēka virsuzraudzība", "Human oversight",
           "Nozīmējiet kompetentas, apmācītas un pilnvarotas personas cilvēka virsuzraudzībai.",
           "Assign human oversight to competent, trained people with the authority and support to exercise it."),
        _o("deployer_input_data", "Art. 26(4)", "Ievades dati", "Input data",
           "Nodrošiniet, ka jūsu kontrolē esošie ievades dati ir atbilstoši un pietiekami reprezentatīvi.",
           "Make sure the input data under your control are relevant and sufficiently representative."),
        _o("deployer_monitoring", "Art. 26(5)", "Darbības uzraudzība un incidenti", "Monitoring and incidents",
           "Uzraugiet sistēmas darbību, ziņojiet par riskiem un nopietniem incidentiem nodrošinātājam un uzraudzības iestādei.",
           "Monitor the operation and report risks and serious incidents to the provider and the market surveillance authority."),
        _o("deployer_logs", "Art. 26(6)", "Žurnālu glabāšana", "Keep the logs",
           "Glabājiet sistēmas automātiski radītos žurnālus vismaz sešus mēnešus.",
           "Keep the logs the system generates automatically for at least six months."),
        _o("deployer_inform_workers", "Art. 26(7)", "Darbinieku informēšana", "Inform the workers",
           "Pirms lietošanas darbavietā informējiet darbinieku pārstāvjus un skartos darbiniekus.",
           "Before use at the workplace, inform the workers' representatives and the affected workers."),
        _o("deployer_registration", "Art. 49(3)", "Lietošanas reģistrācija ES datubāzē", "Register the use in the EU database",
           "Kā publiska iestāde reģistrējiet sevi, izvēlieties sistēmu un reģistrējiet tās lietošanu ES datubāzē (VIII pielikuma C iedaļa).",
           "As a public authority, register yourself, select the system and register its use in the EU database (Annex VIII, Section C)."),
        _o("deployer_inform_persons", "Art. 26(11)", "Skarto personu informēšana", "Inform the affected persons",
           "Informējiet fiziskas personas, ka attiecībā uz tām tiek lietota augsta riska MI sistēma.",
           "Inform the natural persons that they are subject to the use of a high-risk AI system."),
        _o("fria", "Art. 27(1)", "Ietekmes uz pamattiesībām novērtējums", "Fundamental rights impact assessment",
           "Pirms pirmās lietošanas novērtējiet ietekmi uz pamattiesībām un paziņojiet rezultātus uzraudzības iestādei.",
           "Before first use, assess the impact on fundamental rights and notify the market surveillance authority of the results."),
        _o("derogation_documentation", "Art. 6(4)", "Atkāpes novērtējuma dokumentēšana", "Document the derogation assessment",
           "Dokumentējiet, kāpēc III pielikuma sistēma nav augsta riska, un pēc pieprasījuma iesniedziet to iestādēm.",
           "Document why the Annex III system is not high-risk and provide it to the authorities on request."),
        _o("derogation_registration", "Art. 49(2)", "Reģistrācija kā ne augsta riska sistēma", "Register as not high-risk",
           "Reģistrējiet sevi un sistēmu ES datubāzē, norādot 6. panta 3. punkta nosacījumu.",
           "Register yourself and the system in the EU database, naming the Art. 6(3) condition."),
        _o("transparency_interaction", "Art. 50(1)", "Informēt par saziņu ar MI", "Tell people they interact with AI",
           "Izstrādājiet sistēmu tā, lai cilvēki zinātu, ka sazinās ar MI sistēmu.",
           "Design the system so that people are informed they are interacting with an AI system."),
        _o("transparency_marking", "Art. 50(2)", "Sintētiska satura marķēšana", "Mark synthetic content",
           "Marķējiet radīto saturu mašīnlasāmā formātā kā mākslīgi radītu vai manipulētu.",
           "Mark the generated content in a machine-readable format as artificially generated or manipulated."),
        _o("transparency_emotion_biometric", "Art. 50(3)", "Informēt par emociju atpazīšanu vai kategorizāciju", "Inform about emotion recognition or categorisation",
           "Informējiet cilvēkus, kuri tiek pakļauti sistēmas darbībai, un apstrādājiet datus saskaņā ar VDAR.",
           "Inform the people exposed to the system and process their personal data in line with the GDPR."),
        _o("transparency_deep_fake", "Art. 50(4)", "Atklāt dziļviltojumus", "Disclose deep fakes",
           "Atklājiet, ka attēls, audio vai video ir mākslīgi radīts vai manipulēts.",
           "Disclose that the image, audio or video content has been artificially generated or manipulated."),
        _o("transparency_public_text", "Art. 50(4), second subparagraph", "Atklāt MI radītu tekstu", "Disclose AI-generated text",
           "Atklājiet, ka sabiedrības informēšanai publicētais teksts ir mākslīgi radīts vai manipulēts.",
           "Disclose that text published to inform the public has been artificially generated or manipulated."),
        _o("gpai_documentation", "Art. 53(1)", "Modeļa tehniskā dokumentācija", "Model technical documentation",
           "Sagatavojiet un uzturiet modeļa tehnisko dokumentāciju un informāciju sistēmu nodrošinātājiem (53. panta 1. punkta a) un b) apakšpunkts).",
           "Draw up and keep up to date the model's technical documentation and information for downstream providers (Art. 53(1)(a) and (b))."),
        _o("gpai_copyright_summary", "Art. 53(1)", "Autortiesību politika un apmācības datu kopsavilkums", "Copyright policy and training-content summary",
           "Ieviesiet autortiesību politiku un publicējiet apmācībā izmantotā satura kopsavilkumu (53. panta 1. punkta c) un d) apakšpunkts).",
           "Put a copyright policy in place and publish a summary of the training content (Art. 53(1)(c) and (d))."),
        _o("gpai_systemic", "Art. 55(1)", "Sistēmiska riska modeļa pienākumi", "Duties for systemic-risk models",
           "Veiciet modeļa novērtēšanu ar pretinieka testēšanu, maziniet sistēmiskos riskus, ziņojiet par incidentiem un nodrošiniet kiberdrošību.",
           "Evaluate the model with adversarial testing, mitigate systemic risks, report serious incidents and ensure cybersecurity."),
    )
}  # fmt: skip


def _high_risk_date(c: Classification) -> date:
    # Art. 113(c): the Annex I route alone applies a year later than Annex III.
    return ANNEX_I_PRODUCTS if c.annex1 and not c.annex3_points else GENERAL


def obligations_for(c: Classification, role: AiRole, *, public_body: bool = True) -> list[Due]:
    """The obligations a classification and role trigger, each with the date it applies from."""
    if c.risk_class in (RiskClass.NOT_AI_SYSTEM, RiskClass.OUT_OF_SCOPE) and c.gpai is Gpai.NONE:
        return []
    provider = role in (AiRole.PROVIDER, AiRole.BOTH)
    deployer = role in (AiRole.DEPLOYER, AiRole.BOTH)
    due: list[tuple[str, date]] = []
    if c.risk_class not in (RiskClass.NOT_AI_SYSTEM, RiskClass.OUT_OF_SCOPE):
        due.append(("ai_literacy", PROHIBITIONS_AND_LITERACY))
    if c.risk_class is RiskClass.PROHIBITED:
        due.append(("stop_prohibited", PROHIBITIONS_AND_LITERACY))
        return [Due(CATALOGUE[code], when) for code, when in due]
    if "Art. 5(3)" in c.refs(FindingKind.DUTY) and deployer:
        due.append(("rbi_authorisation", PROHIBITIONS_AND_LITERACY))
    if c.risk_class is RiskClass.HIGH_RISK:
        due += _high_risk(c, provider=provider, deployer=deployer, public_body=public_body)
    if c.derogation and provider:
        due += [("derogation_documentation", GENERAL), ("derogation_registration", GENERAL)]
    transparency = {
        "Art. 50(1)": ("transparency_interaction", provider),
        "Art. 50(2)": ("transparency_marking", provider),
        "Art. 50(3)": ("transparency_emotion_biometric", deployer),
        "Art. 50(4)": ("transparency_deep_fake", deployer),
        "Art. 50(4), second subparagraph": ("transparency_public_text", deployer),
    }
    for ref in c.transparency:
        code, applies = transparency[ref]
        if applies:
            due.append((code, GENERAL))
    if c.gpai is not Gpai.NONE:
        if not c.gpai_open_source:
            due.append(("gpai_documentation", GENERAL_PURPOSE_AI))
        due.append(("gpai_copyright_summary", GENERAL_PURPOSE_AI))
        if c.gpai is Gpai.SYSTEMIC:
            due.append(("gpai_systemic", GENERAL_PURPOSE_AI))
    return [Due(CATALOGUE[code], when) for code, when in due]


def _high_risk(
    c: Classification, *, provider: bool, deployer: bool, public_body: bool
) -> list[tuple[str, date]]:
    when = _high_risk_date(c)
    points = set(c.annex3_points)
    # Annex III point 2 (critical infrastructure) is registered nationally and needs no FRIA.
    listed = points - {"2"}
    due: list[tuple[str, date]] = []
    if provider:
        due.append(("provider_requirements", when))
        if listed:
            due.append(("provider_registration", when))
    if "2" in points:
        due.append(("national_registration", when))
    if deployer:
        due += [
            ("deployer_instructions", when),
            ("deployer_oversight", when),
            ("deployer_input_data", when),
            ("deployer_monitoring", when),
            ("deployer_logs", when),
        ]
        if any(p.startswith("4") for p in points):
            due.append(("deployer_inform_workers", when))
        if listed and public_body:
            due.append(("deployer_registration", when))
        if points:
            due.append(("deployer_inform_persons", when))
        if listed and (public_body or points & {"5(b)", "5(c)"}):
            due.append(("fria", when))
    return due


def non_public_registration(c: Classification) -> bool:
    """Art. 49(4): biometrics, law enforcement and migration systems go to the non-public section."""
    return any(p[0] in "167" for p in c.annex3_points)


def legacy_deadline_note(c: Classification, in_service_since: date | None) -> bool:
    """Whether the Art. 111(2) note applies: a high-risk system in service before 2 August 2026."""
    return (
        c.risk_class is RiskClass.HIGH_RISK
        and in_service_since is not None
        and in_service_since < GENERAL
    )
