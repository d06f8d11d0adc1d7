"""The ``suggest:`` settings of the config files, checked.

::

    suggest:
      cues: true            # suggestions from the labels' cue words
      model: true           # suggestions from the model learned from the team's tags
      threshold: 0.4        # the model's suggestions below this confidence are not shown
      train_on: [gold, me]  # whose spans train the model ("me": whoever annotates)
      retrain_every: 5      # new tags between two retrainings in the annotator

Every key is optional.  A wrong key or value is a :class:`SettingsError` whose
message the config loader puts after the file's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from annotations.known_keys import unknown_key

#: Stands for the person annotating in ``train_on``.
ME = "me"
SUGGEST_KEYS = ("cues", "model", "threshold", "train_on", "retrain_every")
#: The suggestion sources, as ``--source`` and the span panel name them.
SOURCES = ("cues", "model")


class SettingsError(ValueError):
    """A ``suggest:`` value that cannot work; the message says which and why."""


@dataclass(frozen=True)
class SuggestSettings:
    """What suggests (each source on or off), how sure the model must be, whose tags
    teach it and how often it learns again."""

    cues: bool = True
    model: bool = True
    threshold: float = 0.4
    #: annotators whose spans train the model, the first one winning where two
    #: disagree on a sentence (``me``: the person annotating)
    train_on: tuple[str, ...] = ("gold", ME)
    retrain_every: int = 5

    @property
    def any(self) -> bool:
        return self.cues or self.model

    def trainers(self, annotator: str) -> tuple[str, ...]:
        """``train_on`` with ``me`` replaced by ``annotator``, each name once, in order."""
        out: list[str] = []
        for name in self.train_on:
            who = annotator if name == ME else name
            if who not in out:
                out.append(who)
        return tuple(out)

    def to_dict(self) -> dict[str, object]:
        return {"cues": self.cues, "model": self.model, "threshold": self.threshold,
                "train_on": list(self.train_on), "retrain_every": self.retrain_every}


OFF = SuggestSettings(cues=False, model=False)


def parse_settings(value: object) -> SuggestSettings:
    """The ``suggest:`` mapping of a config file (``None``: the defaults)."""
    if value is None:
        return SuggestSettings()
    if not isinstance(value, Mapping):
        raise SettingsError("must be a mapping (cues, model, threshold, train_on, "
                            "retrain_every)")
    problem = unknown_key(value, SUGGEST_KEYS)
    if problem:
        raise SettingsError(problem)
    out: dict[str, object] = {}
    for key in ("cues", "model"):
        if key in value:
            if not isinstance(value[key], bool):
                raise SettingsError(f"{key} must be true or false")
            out[key] = value[key]
    if "threshold" in value:
        threshold = value["threshold"]
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not (
                0 <= threshold <= 1):
            raise SettingsError("threshold must be a number from 0 to 1")
        out["threshold"] = float(threshold)
    if "train_on" in value:
        names = value["train_on"]
        if isinstance(names, str):
            names = [names]
        if (not isinstance(names, list) or not names
                or not all(isinstance(n, str) and n.strip() for n in names)):
            raise SettingsError("train_on must be a list of annotator names (me: yourself)")
        out["train_on"] = tuple(n.strip() for n in names)
    if "retrain_every" in value:
        every = value["retrain_every"]
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise SettingsError("retrain_every must be a whole number of tags, at least 1")
        out["retrain_every"] = every
    return replace(SuggestSettings(), **out)  # type: ignore[arg-type]
