"""What an annotator's name may be.

A name is stored with every span, status and event, shown in headers and
tables, and typed by people (``--annotator``, the browser's name prompt), so
every way in checks it the same way with :func:`check_annotator`:

* surrounding white space is dropped; what is left is not empty;
* at most :data:`MAX_NAME_LENGTH` characters;
* every character is printable (``str.isprintable``: no control character,
  no line or paragraph separator, no bidi override or other format
  character, no tab or newline), so a name shows as itself on one line;
* not ``gold``, in any case: ``gold`` is the reviewed set, built only
  through the review, never a person.

Names already in a database are not checked again: this guards what a
person is about to work as.
"""

from __future__ import annotations

from annotations.model import GOLD

#: The longest name accepted, in code points.
MAX_NAME_LENGTH = 64


class AnnotatorNameError(ValueError):
    """A name that cannot be used; the message says why, safe to print."""


def check_annotator(name: str) -> str:
    """``name`` without surrounding white space, or :class:`AnnotatorNameError` saying why not."""
    clean = name.strip()
    if not clean:
        raise AnnotatorNameError("a name is needed: it is saved with every tag")
    if len(clean) > MAX_NAME_LENGTH:
        raise AnnotatorNameError(
            f"a name has at most {MAX_NAME_LENGTH} characters (this one has {len(clean)})")
    bad = next((ch for ch in clean if not ch.isprintable()), None)
    if bad is not None:
        raise AnnotatorNameError(
            f"a name cannot hold control or invisible characters (U+{ord(bad):04X} in "
            f"{clean!r})")
    if clean.casefold() == GOLD:
        raise AnnotatorNameError(
            "'gold' is the reviewed set, not a reviewer or an annotator: use your own name")
    return clean
