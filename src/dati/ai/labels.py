"""What each value of the AI register's enumerations is called (English message ids; the
templates and services translate them with ``_``)."""

from __future__ import annotations

from dati.ai.models import AiRole, DataUsage, Lifecycle, ObligationStatus, Sourcing, Technique
from dati.ai.verdict import RISK_CLASS_LABELS, FindingKind, Gpai

__all__ = ["RISK_CLASS_LABELS"]

TECHNIQUE = {
    Technique.RULE_BASED: "Rule-based",
    Technique.CLASSICAL_ML: "Classical machine learning",
    Technique.DEEP_LEARNING: "Deep learning",
    Technique.GENERATIVE: "Generative AI / large language model",
    Technique.COMPUTER_VISION: "Computer vision",
    Technique.SPEECH: "Speech",
    Technique.OTHER: "Other",
}
ROLE = {
    AiRole.PROVIDER: "Provider",
    AiRole.DEPLOYER: "Deployer",
    AiRole.BOTH: "Provider and deployer",
}
LIFECYCLE = {
    Lifecycle.IDEA: "Idea",
    Lifecycle.PROTOTYPE: "Prototype",
    Lifecycle.PILOT: "Pilot",
    Lifecycle.PRODUCTION: "Production",
    Lifecycle.RETIRED: "Retired",
}
SOURCING = {Sourcing.VENDOR: "Vendor", Sourcing.IN_HOUSE: "In-house"}
STATUS = {
    ObligationStatus.TODO: "To do",
    ObligationStatus.IN_PROGRESS: "In progress",
    ObligationStatus.DONE: "Done",
}
FINDING_KIND = {
    FindingKind.CLASS: "Determines the class",
    FindingKind.EXCEPTION: "Exception applies",
    FindingKind.DUTY: "Duty",
    FindingKind.NOTE: "Note",
}
GPAI = {
    Gpai.NONE: "No",
    Gpai.GPAI: "General-purpose AI model",
    Gpai.SYSTEMIC: "General-purpose AI model with systemic risk",
}
USAGE = {
    DataUsage.TRAINING: "Training data",
    DataUsage.VALIDATION: "Validation data",
    DataUsage.TESTING: "Testing data",
    DataUsage.INPUT: "Input data",
}
