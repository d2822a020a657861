"""Scenario files: what happens to messages, which requests fail, how fast."""
