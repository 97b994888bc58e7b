"""Fixtures every test folder shares: the built book on 127.0.0.1 and a chromium to read it."""

from book_site import browser, site  # noqa: F401 -- pytest fixtures (tests/fixtures/book_site.py)
