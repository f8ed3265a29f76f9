"""A person's work list (`GET /me/work`) and their notifications."""
