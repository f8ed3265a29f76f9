"""Inviting people: an administrator creates the account with a one-time link; the invitee
opens it in the app and sets their password."""
