"""What the plugin learns by reading the checked code: where a mock came from and what happened to it (provenance, certainty), patches and the mocks they install, fixtures, application code."""
