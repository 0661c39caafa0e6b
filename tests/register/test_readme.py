"""The examples for the register and the audit in the README and docs/ run as written (the PostgreSQL ones, marked
`# needs PostgreSQL` in the docs, against a real server that these tests start)."""

from __future__ import annotations

import re
import shlex

from typer.testing import CliRunner

from cli import app

from .conftest import KEY, ROOT, RULES


def examples() -> list[str]:
    text = "\n".join(path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for command in block.replace("\\\n", " ").splitlines():
            if command.startswith("kader checkpoint-key") or (
                    command.startswith(("kader audit", "kader assess")) and ("--record" in command or "audit" in command)):
                commands.append(command)
    return commands


def test_the_readme_shows_recording_and_auditing():
    commands = examples()
    assert len(commands) == 11  # 8 in docs/commands.md, 3 in the README's examples for the assessor and the auditor
    assert any("--verify-checkpoints" in c for c in commands)
    assert any("wijkt_af" in c and "--motivation" in c for c in commands)
    assert any("--format html" in c for c in commands)


def test_the_readme_examples_run_as_written(tmp_path, monkeypatch, pg_url):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    runner = CliRunner(env={"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(RULES), "HOME": str(tmp_path)})
    for command in examples():
        command = re.sub(r"postgresql://\S+", lambda _: shlex.quote(pg_url), command)
        args = shlex.split(command.split(" > ")[0], comments=True)[1:]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "kader-register.sqlite").exists()
