"""Readiness operations, split by subject: questionnaires, rounds, answers, results,
recommendations and exports. Each public operation checks its permission once."""
