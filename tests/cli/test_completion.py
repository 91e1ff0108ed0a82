"""Shell completion as typer users expect it, through the real ``jobping`` entry point (#10)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def jobping(argv: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m jobping argv`` with HOME in ``tmp_path`` and ``env`` added."""
    return subprocess.run(
        [sys.executable, "-m", "jobping", *argv],
        capture_output=True,
        text=True,
        env=dict(os.environ, HOME=str(tmp_path), **env),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_show_completion_prints_the_bash_script(tmp_path: Path) -> None:
    """--show-completion bash prints a script that calls back with _JOBPING_COMPLETE."""
    done = jobping(["--show-completion", "bash"], tmp_path)

    assert done.returncode == 0, done.stderr
    assert "_JOBPING_COMPLETE=complete_bash" in done.stdout
    assert "complete -o default -F _jobping_completion jobping" in done.stdout


def test_install_completion_writes_the_script_and_sources_it(tmp_path: Path) -> None:
    """--install-completion bash installs under HOME and hooks ~/.bashrc."""
    done = jobping(["--install-completion", "bash"], tmp_path)

    assert done.returncode == 0, done.stderr
    script = tmp_path / ".bash_completions" / "jobping.sh"
    assert "_JOBPING_COMPLETE" in script.read_text()
    assert str(script.relative_to(tmp_path)) in (tmp_path / ".bashrc").read_text()


def test_completion_completes_commands_subcommands_and_options(tmp_path: Path) -> None:
    """The lazy commands complete: jo -> jobs, lease -> release, jobs --fo -> --format."""

    def complete(words: str) -> list[str]:
        cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        done = jobping(
            [], tmp_path, _JOBPING_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("jobping jo") == ["jobs"]
    assert complete("jobping lease ") == ["release"]
    assert complete("jobping jobs --fo") == ["--format"]
    assert "--force" in complete("jobping lease release --f")
