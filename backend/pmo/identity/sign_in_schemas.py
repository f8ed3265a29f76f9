from __future__ import annotations

from pydantic import Field

from pmo.core.schemas import PublicModel


class DirectorySignInOptions(PublicModel):
    """How an organisation's people sign in: what the sign-in page offers."""

    organisation_name: str
    slug: str
    sign_in_url: str = Field(description="The organisation's sign-in page, `/sign-in/<slug>`.")
    start_url: str = Field(description="Send the browser here to sign in with the council account.")
    local_passwords_allowed: bool = Field(description="Whether a password sign-in is also offered.")


class DirectorySignOut(PublicModel):
    """The product's session has ended; `redirect_to` is the provider's sign-out page, if any."""

    redirect_to: str | None = Field(
        description="Send the browser here to sign out at the identity provider too (RP-initiated logout); "
        "null for a password session or a provider with no sign-out page."
    )


class BackChannelLogoutResult(PublicModel):
    """What a back-channel logout did (the provider needs only the 200)."""

    sessions_ended: int = Field(description="How many of the product's sessions the logout token ended.")
