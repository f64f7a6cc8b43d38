"""Browser tests: the real app on a local port, driven by Chromium through Playwright."""
