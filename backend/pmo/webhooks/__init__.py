"""Signed webhooks (Standard Webhooks): subscriptions, an outbox, and delivery by the worker."""
