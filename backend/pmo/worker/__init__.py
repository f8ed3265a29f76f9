"""`pmo worker`: scheduled jobs (purges now; the outbox of later issues) in a process of its own."""
