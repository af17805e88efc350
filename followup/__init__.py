"""Follow-up with consent: one check-in after help, its outcome, and nothing without a yes."""
