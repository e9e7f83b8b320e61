"""Turnout reminders: a plan per ballot, opt-in DMs, "I've posted my paper", scheduling."""
