"""The LTI 1.3 Advantage protocol, free of Flask and SQLAlchemy (see docs/lti.md)."""
