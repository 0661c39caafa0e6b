"""The command line in Dutch: usage errors and help, through typer's and click's own hooks.

typer (from 0.26) carries its own copy of click (`typer._click`, a private module: `requirements/newest.sh` tells
when a typer release moves it) without translations, so nothing is replaced in its text: the group
class of `kader` (`KaderGroup`) runs commands without click's standalone error printing and writes each usage
error in Dutch from the exception's own data (which parameter, which option, which choices); the help of every
command is written by a Dutch `HelpFormatter` (the `formatter_class` of click's `Context`), and the `--help`
option says in Dutch what it does. The rows of the Arguments and Options sections are built by `DutchCommand`
(the command class `KaderTyper.command` gives every command, typer's own `cls=` hook) from each parameter's data:
its metavar or a Dutch name for its type (PAD, TEKST, GETAL, JJJJ-MM-DD), and `[standaard: ...; omgevingsvariabele:
...; verplicht]` where click would write `[default: ...; env var: ...; required]`.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import typer
from typer import _click
from typer._click import exceptions as errors
from typer.core import TyperCommand, TyperGroup

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
        import difflib
        names = sorted(ctx.command.list_commands(ctx))
        typed = ctx.meta.get("kader.command")
        close = difflib.get_close_matches(typed, names, n=1, cutoff=0.6) if typed else []
        return (f"onbekende opdracht '{typed}'; bedoelde u {close[0]}?" if close else
                "onbekende opdracht; kies uit: " + ", ".join(names))
    return "verkeerd gebruik"


def show_usage_error(error: errors.UsageError) -> None:
    ctx = error.ctx
    out = sys.stderr
    if ctx is not None:
        out.write(ctx.get_usage() + "\n")
        out.write(f"Probeer '{ctx.command_path} --help' voor hulp.\n")
    out.write(f"\nFout: {dutch_message(error)}\n")


def _number(value: float) -> str:
    return str(value).replace(".", ",")


def _range(param: Any) -> str | None:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return f"van {_number(low)} tot en met {_number(high)}"
    if low is not None:
        return f"ten minste {_number(low)}"
    if high is not None:
        return f"ten hoogste {_number(high)}"
    return None


DATE_PARTS = {"%Y": "JJJJ", "%m": "MM", "%d": "DD", "%H": "UU", "%M": "MM", "%S": "SS"}


def _type_name(param: Any, ctx: _click.Context) -> str:
    """What a value of this parameter is, in Dutch: its own metavar, the choices, or a name for its type."""
    if param.metavar is not None:
        return param.metavar
    import datetime as _dt
    import pathlib
    import typing
    descriptor = param.type_descriptor
    if descriptor.is_choice:
        return param.display_type(ctx)  # <table|json>: the values a user types, not words to translate
    if descriptor.is_datetime:
        formats = descriptor.parameter_info.formats or ["%Y-%m-%d"]
        return "|".join(re.sub("%[YmdHMS]", lambda m: DATE_PARTS[m.group(0)], f) for f in formats)
    annotation = descriptor.annotation
    many = typing.get_origin(annotation) is list
    if many:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, pathlib.PurePath):
        name = "PAD"
    elif annotation is int or annotation is float:
        name = "GETAL"
    elif annotation in (_dt.date, _dt.datetime):
        name = "JJJJ-MM-DD"
    else:
        name = "TEKST"
    return name + ("..." if many else "")


def _default(param: Any, ctx: _click.Context) -> str | None:
    """The default shown in the help, when the command shows it (typer shows it unless show_default=False)."""
    import enum
    if isinstance(param.show_default, str):
        return param.show_default
    if not (param.show_default or ctx.show_default):
        return None
    resilient, ctx.resilient_parsing = ctx.resilient_parsing, True  # read the default without converting it
    try:
        value = param.get_default(ctx, call=False)
    finally:
        ctx.resilient_parsing = resilient
    if value is None or callable(value) or value == [] or value == ():
        return None
    if getattr(param, "is_bool_flag", False):
        if param.secondary_opts:
            return (param.opts if value else param.secondary_opts)[0].lstrip("-")
        return None  # a flag that is off unless given: nothing to say
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v.value if isinstance(v, enum.Enum) else v) for v in value)
    return str(value.value if isinstance(value, enum.Enum) else value)


def help_record(param: Any, ctx: _click.Context) -> tuple[str, str] | None:
    """One row of the Arguments or Options section in Dutch, from the parameter's data."""
    if param.hidden:
        return None
    if param.param_type_name == "argument":
        name = param.metavar or param.name.upper()
        if param.nargs != 1:
            name += "..."
    else:
        name = _click.formatting.join_options(param.opts)[0]
        if param.secondary_opts:
            name += " / " + _click.formatting.join_options(param.secondary_opts)[0]
        if not (param.is_flag or param.count):
            name += " " + _type_name(param, ctx)
    extra = []
    envvar = param.envvar if param.show_envvar else None
    if envvar:
        extra.append("omgevingsvariabele: " + (envvar if isinstance(envvar, str) else ", ".join(envvar)))
    default = _default(param, ctx)
    if default:
        extra.append(f"standaard: {default}")
    bounds = _range(param)
    if bounds:
        extra.append(bounds)
    if param.required:
        extra.append("verplicht")
    text = param.help or ""
    if extra:
        text = f"{text}  [{'; '.join(extra)}]" if text else f"[{'; '.join(extra)}]"
    return name, text


def format_parameters(command: _click.Command, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
    rows: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
    for param in command.get_params(ctx):
        record = help_record(param, ctx)
        if record is not None:
            rows[param.param_type_name].append(record)
    for kind, heading in (("argument", "Argumenten"), ("option", "Opties")):
        if rows[kind]:
            with formatter.section(heading):
                formatter.write_dl(rows[kind])


class DutchCommand(TyperCommand):
    """A kader command: its help in Dutch (see the module docstring)."""

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        format_parameters(self, ctx, formatter)


class KaderTyper(typer.Typer):
    """`typer.Typer` whose commands are `DutchCommand`s unless a command asks for another class."""

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any):
        return super().command(name, cls=cls or DutchCommand, **kwargs)


class KaderGroup(TyperGroup):
    """The `kader` group: Dutch help and Dutch usage errors (exit 2) for every command."""

    context_class = DutchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = "[OPTIES]"
        self.subcommand_metavar = "OPDRACHT [ARGUMENTEN]..."

    def resolve_command(self, ctx: _click.Context, args: list[str]):
        if args:
            ctx.meta["kader.command"] = args[0]  # the name as typed, for the Dutch error with a suggestion
        return super().resolve_command(ctx, args)

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

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        format_parameters(self, ctx, formatter)
        self.format_commands(ctx, formatter)


YES = ("j", "ja", "y", "yes")
NO = ("n", "nee", "no")


def ask_yes_no(question: str, *, default: bool = False) -> bool:
    """A yes/no question in Dutch (click's `confirm` asks `[y/N]` and answers `Error: invalid input`): `j`/`ja` or
    `n`/`nee` (`y`/`n` work too), Enter takes the default, anything else is asked again; end of input stops."""
    suffix = " [J/n]: " if default else " [j/N]: "
    while True:
        sys.stderr.write(question + suffix)
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            raise typer.Abort()
        answer = line.strip().lower()
        if not answer:
            return default
        if answer in YES:
            return True
        if answer in NO:
            return False
        sys.stderr.write("Antwoord j (ja) of n (nee).\n")
