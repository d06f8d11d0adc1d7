"""Every command and option is in the README's command-line section (as sqlite-utils checks its docs)."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from tui.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
USAGE_LINE = re.compile(r"^stancemark(?: +([a-z][a-z-]*))?\b")
OPTION = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")
NOT_LISTED = {"--help", "-h", "--version"}


def _usage() -> dict[str | None, str]:
    """The README's usage block: command name (None for the default form) -> its lines."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The command line"):]
    block = section[section.index("```") + 3:]
    block = block[:block.index("```")]
    usage: dict[str | None, str] = {}
    name: str | None = None
    for line in block.strip("\n").splitlines():
        m = USAGE_LINE.match(line)
        if m:
            word = m.group(1)
            name = word if word in cli.commands else None
            usage[name] = ""
        usage[name] += line + "\n"
    return usage


def _options(command: click.Command) -> set[str]:
    return {o for p in command.params if isinstance(p, click.Option) for o in p.opts} - NOT_LISTED


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_with_its_options(name: str) -> None:
    command = cli.commands[name]
    usage = _usage()
    if command.hidden:
        # The default command is the bare `stancemark [...] [PATH...]` form.
        assert name == cli.default_cmd_name
        documented = usage[None]
        assert "[PATH...]" in documented
    else:
        assert name in usage, f"`stancemark {name}` is missing from the README"
        documented = usage[name]
    shown = set(OPTION.findall(documented))
    assert shown <= _options(command), f"README lists options {name} does not take"
    missing = [p.opts for p in command.params
               if isinstance(p, click.Option) and not set(p.opts) & (shown | NOT_LISTED)]
    assert not missing, f"{name}: options missing from the README: {missing}"


def test_the_group_options_are_documented() -> None:
    assert set(OPTION.findall(_usage()[None])) == _options(cli)


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name: str) -> None:
    assert cli.commands[name].help, f"{name} is missing its help"


def test_readme_says_the_annotator_resumes() -> None:
    """The annotator opens where you left off (tests/test_tui_keys.py checks it does)."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "opens the annotator where you left off" in text
    assert "opens the annotator on the first article you have not marked done" not in text
