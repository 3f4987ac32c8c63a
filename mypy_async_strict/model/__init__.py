"""CPython's `unittest.mock` rules as data (`rules`, pure), and their encoding in mypy types (`mocktypes`)."""
