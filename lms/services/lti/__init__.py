"""LTI 1.3 in the app: platforms, keys, nonces, launches, deep links, the grade outbox and roster sync."""
