"""The built-in lifecycles every organisation gets. Plain data, read by the service and the migration.

A lifecycle: `stages` in order, and one gate between each stage and the next. A gate names
its criteria (each must be answered before the gate can be approved), the business case
sections it needs (if any), who decides and whether any one or all of them must approve.

Deciders (worked out when a review is requested, see `pmo.gates.service.resolve_deciders`):
- `{"type": "governance_body"}`: the members of the body overseeing the project (the
  project's own, else its programme's);
- `{"type": "role", "role": "sponsor"}`: active holders of the role whose scope covers the
  project (the organisation, its lead directorate, its programme or the project itself);
- `{"type": "elected_members"}`: active holders of the `member` role.
A gate's `deciders` is a list of these; everyone they name is a decider.
"""

from __future__ import annotations

from typing import Any

GOVERNANCE_BODY: dict[str, Any] = {"type": "governance_body"}
SPONSOR: dict[str, Any] = {"type": "role", "role": "sponsor"}
ELECTED_MEMBERS: dict[str, Any] = {"type": "elected_members"}

BUSINESS_CASE_SECTIONS = [
    "scope",
    "costs",
    "benefits",
    "resource_requirements",
    "key_risks",
    "dependencies",
    "delivery_plan",
]
FIVE_CASES = ["strategic_case", "economic_case", "commercial_case", "financial_case", "management_case"]


def _stage(key: str, name: str, description: str) -> dict[str, Any]:
    return {"key": key, "name": name, "description": description}


def _gate(
    key: str,
    name: str,
    from_stage: str,
    to_stage: str,
    criteria: list[tuple[str, str]],
    deciders: list[dict[str, Any]],
    *,
    approval: str = "any",
    business_case_sections: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "from_stage": from_stage,
        "to_stage": to_stage,
        "criteria": [{"key": k, "text": t} for k, t in criteria],
        "business_case_sections": list(business_case_sections or []),
        "deciders": deciders,
        "approval": approval,
    }


CHESTERFIELD: dict[str, Any] = {
    "builtin_key": "chesterfield",
    "name": "Chesterfield: Discover and Define to Delivery",
    "description": (
        "The Organisational Development design process (Chesterfield Borough Council, Cabinet "
        "report paragraphs 4.6 to 4.9): a discovery report proposes the project; the Steering "
        "Group agrees it should be developed to a detailed business case; the detailed business "
        "case is approved by the Steering Group and, where the constitution or delegated "
        "authority requires, by elected members; the project is delivered, then closed."
    ),
    "stages": [
        _stage(
            "discover_define",
            "Discover and Define",
            "A discovery report proposes the project.",
        ),
        _stage(
            "design_develop",
            "Design and Develop",
            "The project is developed into a detailed business case; resources are agreed and it "
            "appears on the programme dashboard.",
        ),
        _stage(
            "delivery",
            "Delivery",
            "The project team delivers; progress and benefits are monitored and reported.",
        ),
        _stage("closed", "Closed", "Completed or stopped; benefits are still tracked."),
    ],
    "gates": [
        _gate(
            "design_develop_entry",
            "Approval to develop a detailed business case",
            "discover_define",
            "design_develop",
            [
                ("council_priorities", "The project will deliver in support of Council priorities."),
                (
                    "improves_outcomes",
                    "The project will change systems, processes, people and/or technology which "
                    "will improve outcomes for residents and businesses.",
                ),
                (
                    "costed_resourced_viable",
                    "The project is costed in an outline business case, can be resourced and is "
                    "financially viable.",
                ),
                (
                    "evidenced_rationale",
                    "The rationale for the project is evidenced using robust data and customer "
                    "insight or research.",
                ),
            ],
            [GOVERNANCE_BODY],
        ),
        _gate(
            "delivery_entry",
            "Approval of the detailed business case",
            "design_develop",
            "delivery",
            [
                (
                    "business_case_complete",
                    "The detailed business case sets out the scope, costs, benefits, resource "
                    "requirements, key risks and dependencies, with a delivery plan.",
                ),
                (
                    "approval_route",
                    "The business case has been through the approval route the constitution and "
                    "delegated authority require (name any decision of elected members needed).",
                ),
            ],
            # "Elected members, or members of the OD Steering Board, will provide formal
            # approval" (diagram 1): any one of them records the decision.
            [GOVERNANCE_BODY, ELECTED_MEMBERS],
            business_case_sections=BUSINESS_CASE_SECTIONS,
        ),
        _gate(
            "closure",
            "Project closure (completed or stopped)",
            "delivery",
            "closed",
            [
                ("outcome", "Whether the project completed or was stopped, and why."),
                ("benefits_handover", "Who tracks the benefits from now on, and how."),
                ("lessons_learned", "What was learned for future projects."),
            ],
            [SPONSOR],
        ),
    ],
}


GREEN_BOOK: dict[str, Any] = {
    "builtin_key": "green_book",
    "name": "HM Treasury Green Book business case stages",
    "description": (
        "The Green Book's three business case stages (Strategic Outline Case, Outline Business "
        "Case, Full Business Case) on the five case model, then implementation and evaluation."
    ),
    "stages": [
        _stage(
            "strategic_outline_case",
            "Strategic Outline Case",
            "The case for change and a long list of options.",
        ),
        _stage(
            "outline_business_case",
            "Outline Business Case",
            "The preferred option, appraised for value for money.",
        ),
        _stage(
            "full_business_case", "Full Business Case", "The negotiated deal, affordable and deliverable."
        ),
        _stage("implementation", "Implementation", "Delivery of the preferred option."),
        _stage("evaluation", "Evaluation", "Whether the expected benefits and outcomes were realised."),
    ],
    "gates": [
        _gate(
            "soc_approval",
            "Strategic Outline Case approval",
            "strategic_outline_case",
            "outline_business_case",
            [
                (
                    "strategic_case",
                    "Strategic case: a compelling case for change that fits council strategy.",
                ),
                ("economic_case", "Economic case: a long list of options and a preferred way forward."),
                ("commercial_case", "Commercial case: the likely route to market is credible."),
                ("financial_case", "Financial case: indicative costs are affordable."),
                ("management_case", "Management case: the project can be delivered successfully."),
            ],
            [GOVERNANCE_BODY],
        ),
        _gate(
            "obc_approval",
            "Outline Business Case approval",
            "outline_business_case",
            "full_business_case",
            [
                ("strategic_case", "Strategic case: the case for change is confirmed."),
                (
                    "economic_case",
                    "Economic case: the short list is appraised; the preferred option is best value.",
                ),
                ("commercial_case", "Commercial case: a viable procurement and commercial deal is set out."),
                ("financial_case", "Financial case: the preferred option is affordable and funded."),
                ("management_case", "Management case: plans for delivery, risks and benefits are in place."),
            ],
            [GOVERNANCE_BODY],
            business_case_sections=FIVE_CASES,
        ),
        _gate(
            "fbc_approval",
            "Full Business Case approval",
            "full_business_case",
            "implementation",
            [
                ("strategic_case", "Strategic case: still fits the council's strategy and priorities."),
                ("economic_case", "Economic case: the negotiated deal still offers best value for money."),
                ("commercial_case", "Commercial case: the contract is ready to sign."),
                ("financial_case", "Financial case: the final costs are affordable and funding is secured."),
                (
                    "management_case",
                    "Management case: delivery, benefits realisation and evaluation are planned.",
                ),
            ],
            [GOVERNANCE_BODY, ELECTED_MEMBERS],
            business_case_sections=FIVE_CASES,
        ),
        _gate(
            "implementation_complete",
            "Implementation complete",
            "implementation",
            "evaluation",
            [
                ("delivered", "What was delivered against the Full Business Case."),
                ("benefits_plan", "How benefits will be measured in evaluation."),
            ],
            [SPONSOR],
        ),
    ],
}


IPA_GATEWAY: dict[str, Any] = {
    "builtin_key": "ipa_gateway",
    "name": "IPA Gateway reviews 0 to 5",
    "description": (
        "The Infrastructure and Projects Authority's Gateway review process: Gate 0 strategic "
        "assessment, Gates 1 to 4 at the key decision points, Gate 5 operations review and "
        "benefits realisation."
    ),
    "stages": [
        _stage("gate_0", "Gate 0: Strategic assessment", "Is the need for the programme confirmed?"),
        _stage("gate_1", "Gate 1: Business justification", "Is the business case robust?"),
        _stage("gate_2", "Gate 2: Delivery strategy", "Is the delivery and procurement approach sound?"),
        _stage("gate_3", "Gate 3: Investment decision", "Is the investment decision ready?"),
        _stage("gate_4", "Gate 4: Readiness for service", "Is the organisation ready for the change?"),
        _stage(
            "gate_5",
            "Gate 5: Operations review and benefits realisation",
            "Are the benefits being realised?",
        ),
    ],
    "gates": [
        _gate(
            "gate_1_review",
            "Gateway review into business justification",
            "gate_0",
            "gate_1",
            [
                ("need_confirmed", "The strategic need is confirmed and fits council priorities."),
                ("outcomes_defined", "The intended outcomes and benefits are defined."),
            ],
            [GOVERNANCE_BODY],
        ),
        _gate(
            "gate_2_review",
            "Gateway review into delivery strategy",
            "gate_1",
            "gate_2",
            [
                ("business_case", "The outline business case is robust and affordable."),
                ("options_appraised", "Options are appraised and the preferred one justified."),
            ],
            [GOVERNANCE_BODY],
        ),
        _gate(
            "gate_3_review",
            "Gateway review into investment decision",
            "gate_2",
            "gate_3",
            [
                ("delivery_strategy", "The delivery and procurement strategy is sound."),
                ("market_ready", "The market and suppliers are able to deliver."),
            ],
            [GOVERNANCE_BODY],
        ),
        _gate(
            "gate_4_review",
            "Gateway review into readiness for service",
            "gate_3",
            "gate_4",
            [
                (
                    "investment_decision",
                    "The full business case and the contract are ready for the investment decision.",
                ),
                ("funding_secured", "Funding is secured."),
            ],
            # The investment decision: every member of the overseeing board approves.
            [GOVERNANCE_BODY],
            approval="all",
        ),
        _gate(
            "gate_5_review",
            "Gateway review into operations and benefits realisation",
            "gate_4",
            "gate_5",
            [
                ("ready_for_service", "The organisation is ready to operate the new service."),
                ("transition_plan", "Handover and transition are planned and resourced."),
            ],
            [SPONSOR],
        ),
    ],
}

BUILTIN_LIFECYCLES: list[dict[str, Any]] = [CHESTERFIELD, GREEN_BOOK, IPA_GATEWAY]
DEFAULT_BUILTIN = "chesterfield"
