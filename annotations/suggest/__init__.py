"""Suggestions: cue words and a model learned from the team's tags (see the modules)."""
