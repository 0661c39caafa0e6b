"""The command line in Dutch: usage errors and help, through typer's and click's own hooks.

typer (from 0.26) carries its own copy of click (`typer._click`, a private module: `requirements/newest.sh` tells
when a typer release moves it) without translations, so nothing is replaced in its text: the group
class of `kader` (`KaderGroup`) runs commands without click's standalone error printing and writes each usage
error in Dutch from the exception's own data (which parameter, which option, which choices); the help of every
command is written by a Dutch `HelpFormatter` (the `formatter_class` of click's `Context`), and the `--help`
option says in Dutch what it does.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer import _click
from typer._click import exceptions as errors
from typer.core import TyperGroup

HEADINGS = {"Options": "Opties", "Arguments": "Argumenten", "Commands": "Opdrachten"}
HELP_OPTION = "Toon deze hulp en stop."


class DutchHelpFormatter(_click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Gebruik: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))


class DutchContext(_click.Context):
    formatter_class = DutchHelpFormatter


def _dutch_help_option(command: _click.Command, ctx: _click.Context) -> None:
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = HELP_OPTION


def _name(param: Any) -> str:
    if param is None:
        return "parameter"
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "option" and opts:
        return " / ".join(opts)
    return (getattr(param, "metavar", None) or param.name or "argument").upper()


def _expected(param: Any) -> str:
    """What a parameter takes, from the type typer declared for it."""
    import datetime as _dt
    import enum
    import pathlib
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "kies uit: " + ", ".join(str(member.value) for member in annotation)
    if annotation in (_dt.datetime, _dt.date):
        return "verwacht een datum als JJJJ-MM-DD"
    if annotation is int:
        low, high = getattr(param, "min", None), getattr(param, "max", None)
        return "verwacht een geheel getal" + (f" van ten minste {low}" if low is not None else "") + \
            (f" en ten hoogste {high}" if high is not None else "")
    if annotation is float:
        return "verwacht een getal"
    if annotation is not None and isinstance(annotation, type) and issubclass(annotation, pathlib.PurePath):
        return "verwacht een pad"
    return "ongeldige waarde"


def dutch_message(error: errors.UsageError) -> str:
    """A usage error in Dutch, from the exception's data."""
    if isinstance(error, errors.NoSuchOption):
        text = f"onbekende optie: {error.option_name}"
        if error.possibilities:
            text += " (bedoelde u " + " of ".join(sorted(error.possibilities)) + "?)"
        return text
    if isinstance(error, errors.MissingParameter):
        kind = getattr(error.param, "param_type_name", "")
        return (f"optie {_name(error.param)} ontbreekt" if kind == "option"
                else f"argument {_name(error.param)} ontbreekt")
    if isinstance(error, errors.BadParameter):
        return f"ongeldige waarde voor {_name(error.param)}: {_expected(error.param)}"
    if isinstance(error, errors.BadOptionUsage):
        return f"optie {error.option_name} wordt verkeerd gebruikt (verwacht een waarde?)"
    if isinstance(error, errors.BadArgumentUsage):
        return "te veel of verkeerde argumenten"
    ctx = error.ctx
    if ctx is not None and isinstance(ctx.command, TyperGroup):
        return "onbekende opdracht; kies uit: " + ", ".join(sorted(ctx.command.list_commands(ctx)))
    return "verkeerd gebruik"


def show_usage_error(error: errors.UsageError) -> None:
    ctx = error.ctx
    out = sys.stderr
    if ctx is not None:
        out.write(ctx.get_usage() + "\n")
        out.write(f"Probeer '{ctx.command_path} --help' voor hulp.\n")
    out.write(f"\nFout: {dutch_message(error)}\n")


class KaderGroup(TyperGroup):
    """The `kader` group: Dutch help and Dutch usage errors (exit 2) for every command."""

    context_class = DutchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[OPTIES]"
        self.subcommand_metavar = "OPDRACHT [ARGUMENTEN]..."

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            command.context_class = DutchContext
            command.options_metavar = "[OPTIES]"
            _dutch_help_option(command, ctx)
        return command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except errors.NoArgsIsHelpError as error:
            sys.stdout.write(error.ctx.get_help() + "\n") if error.ctx is not None else None
            sys.exit(2)
        except errors.UsageError as error:
            show_usage_error(error)
            sys.exit(error.exit_code)
        except typer.Abort:  # public in every typer this supports (in 0.29 it is not in typer._click.exceptions)
            sys.stderr.write("Afgebroken.\n")
            sys.exit(1)
        except errors.ClickException as error:  # e.g. a file click could not open
            sys.stderr.write(f"Fout: {error.format_message()}\n")
            sys.exit(error.exit_code)
        sys.exit(result if isinstance(result, int) else 0)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        _dutch_help_option(self, ctx)
        super().format_help(ctx, formatter)
