"""What each problem `type` means: every problem document's `type` is
`<PMO_PUBLIC_URL>/problems/<slug>`, and that URL is a page of the product explaining it
(`pmo.problem_pages`).

A new kind of problem gets its entry here; tests/contract/test_problem_types.py fails for
any slug the code can emit that has none."""

from __future__ import annotations

from dataclasses import dataclass

from pmo.core.config import get_settings

PROBLEMS_PATH = "/problems"


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: str
    meaning: str
    what_to_do: str


PROBLEM_TYPES: dict[str, ProblemType] = {
    "bad-request": ProblemType(
        400,
        "Bad request",
        "The request could not be read: a control character in the path, a body that is not "
        "UTF-8, or a body that does not parse.",
        "Fix the request; sending it again unchanged gives the same answer.",
    ),
    "unauthorized": ProblemType(
        401,
        "Not signed in",
        "No access token was sent, or it is not valid: expired, signed out, or from a "
        "secret that has been retired.",
        "Get a new token at `POST /api/v1/auth/token` and send it as `Authorization: Bearer`.",
    ),
    "invalid-grant": ProblemType(
        401,
        "Sign-in failed",
        "The email address and password, or the refresh token, were not accepted.",
        "Check the credentials; after repeated failures sign-in is limited for a while.",
    ),
    "directory-sign-in-refused": ProblemType(
        401,
        "Directory sign-in refused",
        "The answer from your organisation's identity provider was not accepted: its ID token "
        "failed a check (signature, issuer, audience, expiry, nonce), the sign-in was replayed or "
        "started elsewhere, or the person is deactivated or has no role mapped from their groups. "
        "The `reason` member names which.",
        "Start the sign-in again from your organisation's sign-in page; if it is refused again, "
        "ask your administrator to check the identity provider settings and your groups.",
    ),
    "client-secret-unreadable": ProblemType(
        409,
        "The client secret must be entered again",
        "The identity provider's client secret stored for your organisation cannot be read with "
        "this server's secret key (`PMO_SECRET_KEY` was changed).",
        "An administrator enters the client secret again at `PUT /api/v1/organisation/identity-provider`.",
    ),
    "forbidden": ProblemType(
        403,
        "Not allowed",
        "You are signed in, but your roles (or your API client's scopes) do not allow this, "
        "or not on this record.",
        "Ask an administrator of your organisation for the role or scope `detail` names.",
    ),
    "not-found": ProblemType(
        404,
        "Not found",
        "There is no such record in your organisation (records of other organisations are "
        "never shown, not even as existing), or no such path.",
        "Check the id or the path.",
    ),
    "method-not-allowed": ProblemType(
        405,
        "Method not allowed",
        "The path exists but does not take this method.",
        "Use one of the methods the `Allow` header lists.",
    ),
    "not-acceptable": ProblemType(
        406,
        "None of the accepted media types is offered",
        "`Accept` allows none of the media types this operation answers with.",
        "Accept one of the types `detail` lists (for example `application/json`), or use the "
        "operation for the format you want (such as a `.csv` one).",
    ),
    "conflict": ProblemType(
        409,
        "Conflict",
        "The request conflicts with the current state of the records: a duplicate name, a "
        "record still in use, a state that does not allow this step.",
        "Read the records again; `detail` says what is in the way.",
    ),
    "invitation-unusable": ProblemType(
        409,
        "This invitation link cannot be used",
        "The invitation link is real but cannot set a password now: it was used already, it "
        "expired, a newer link replaced it, or the account was deactivated. The `reason` "
        "member names which (`used`, `expired`, `replaced`, `deactivated`).",
        "If you have set your password, sign in. Otherwise ask your administrator for a new "
        "invitation (`POST /api/v1/users/{user_id}/invitation`).",
    ),
    "precondition-failed": ProblemType(
        412,
        "The record has changed",
        "The `If-Match` tag is not the record's current one: someone changed it since you read it.",
        "Read the record again, reapply your change, and send the new `ETag` as `If-Match`.",
    ),
    "payload-too-large": ProblemType(
        413,
        "Request body too large",
        "The body is larger than this operation accepts (`detail` says how large it may be).",
        "Send less: split an import into several files.",
    ),
    "validation-error": ProblemType(
        422,
        "The request is not valid",
        "Some part of the request is not acceptable; `errors` lists each one with its "
        '`location` (for example `["body", "amount"]` or `["query", "limit"]`).',
        "Correct each part `errors` names. Nothing was written.",
    ),
    "precondition-required": ProblemType(
        428,
        "If-Match header required",
        "This change needs the `ETag` of the record as last read, so that it cannot overwrite "
        "someone else's change unseen.",
        "Read the record, then send its `ETag` as `If-Match`.",
    ),
    "too-many-requests": ProblemType(
        429,
        "Too many requests",
        "A rate limit was reached: the KPI feed's per-client limit, or sign-in attempts.",
        "Wait for the seconds in `Retry-After`, then try again.",
    ),
    "internal-error": ProblemType(
        500,
        "Internal server error",
        "Something went wrong on the server. It has been logged with the `request_id`.",
        "Try again later; quote the `request_id` when reporting it.",
    ),
    "service-unavailable": ProblemType(
        503,
        "Service unavailable",
        "The service cannot reach its database (from the readiness check `/readyz`).",
        "Wait and try again; the operators are alerted by the readiness check.",
    ),
    "database-busy": ProblemType(
        503,
        "The database is busy",
        "Other changes held the records this request needed for too long. Nothing was changed.",
        "Send the request again after the seconds in `Retry-After`.",
    ),
}


def problem_type_uri(slug: str) -> str:
    """The `type` of a problem: a page of this product that explains it."""
    return f"{get_settings().public_url.rstrip('/')}{PROBLEMS_PATH}/{slug}"
