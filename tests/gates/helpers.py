"""Constants for the gate tests: answers to the Chesterfield gates, a business case."""

from __future__ import annotations

# Answers to every criterion of the Chesterfield gates, and the detailed business case.
DISCOVER_ANSWERS = [
    {
        "criterion": "council_priorities",
        "answer": "Supports the Council Plan priority on access to services.",
    },
    {"criterion": "improves_outcomes", "answer": "Replaces paper forms with online self-service."},
    {"criterion": "costed_resourced_viable", "answer": "Outline business case: 120k one-off, 2 FTE."},
    {"criterion": "evidenced_rationale", "answer": "Customer survey 2022, 4,000 responses."},
]
DESIGN_ANSWERS = [
    {"criterion": "business_case_complete", "answer": "Attached: sections 1 to 7."},
    {"criterion": "approval_route", "answer": "Within the Service Director's delegated authority."},
]
BUSINESS_CASE = {
    "scope": "All leisure centres.",
    "costs": "120k capital, 20k a year revenue.",
    "benefits": "40k a year cashable savings.",
    "resource_requirements": "A project manager and two analysts.",
    "key_risks": "Supplier capacity.",
    "dependencies": "The new network.",
    "delivery_plan": "Go live 2023/24 Q2.",
}
