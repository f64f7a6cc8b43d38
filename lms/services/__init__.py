"""Reads (functions returning queries or rows) and writes (which only flush) over the models.

Nothing here touches request, session or current_user: callers pass what is needed and the
request or CLI command commits once at the end.
"""
