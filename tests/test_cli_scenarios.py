"""``sms-emulator check-scenario`` and ``sms-emulator scenarios``."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.cli import main
from emulator.scenario.loader import shipped_scenarios


def test_check_valid_files_and_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\nrules:\n  - outcome: delivered\n")
    assert main(["check-scenario", str(path), "flaky-network"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{path}: ok (ok, version 1, 1 rule, 0 faults, 0 rate limits)",
        "flaky-network: ok (flaky-network, version 1, 0 rules, 6 faults, 0 rate limits)",
    ]
    assert err == ""


def test_check_reports_file_line_field_and_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: good\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nfaults:\n  - when: {provider: ringcentral}\n    evry: 3\n"
        "    respond: {status: 503}\n"
    )
    assert main(["check-scenario", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out == f"{good}: ok (good, version 1, 0 rules, 0 faults, 0 rate limits)\n"
    assert err.splitlines() == [
        f"{bad}:4: faults[0].evry: unknown key 'evry' (did you mean 'every'?)",
        "1 of 2 scenarios invalid",
    ]


def test_check_refuses_an_empty_accounts_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("name: empty\naccounts:\n  sendbulk:\n")
    assert main(["check-scenario", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"{path}:3: accounts.sendbulk: is empty: leave it out to accept any credentials,"
        " or list at least one account\n"
    )


def test_check_names_where_a_file_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It printed the decoder's message and the shipped scenarios, which are no help."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\ndescription: Zoë's café\n".encode("latin-1"))
    assert main(["check-scenario", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"{path}:2: a scenario file must be UTF-8 YAML or JSON: byte 0xeb at column 16"
        " is not UTF-8 (save the file as UTF-8)\n"
    )


def test_check_missing_file_and_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-scenario", "does-not-exist.yaml", "opt-out"]) == 1
    _, err = capsys.readouterr()
    first, second, summary = err.splitlines()
    assert first.startswith("does-not-exist.yaml: cannot read scenario: No such file")
    assert second.startswith("opt-out: unknown scenario 'opt-out' (did you mean 'opt-outs'?")
    assert summary == "2 of 2 scenarios invalid"


def test_check_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["check-scenario"])
    assert info.value.code == 2
    assert "the following arguments are required: FILE" in capsys.readouterr().err


def test_scenarios_lists_every_shipped_scenario_with_its_description(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == sorted(shipped_scenarios())
    assert len(names) >= 10
    by_name = {line.split()[0]: line for line in lines}
    assert by_name["happy-path"].endswith(
        "Every valid message is accepted, sent and delivered on time. (default)"
    )
    assert "opted out" in by_name["opt-outs"]
    columns = {line.index(line.split()[1]) for line in lines}
    assert columns == {max(map(len, names)) + 2}  # line up, two spaces after the longest name


def test_scenarios_into_a_closed_pipe_exits_quietly() -> None:
    import shlex
    import subprocess
    import sys

    shell = f"{shlex.quote(sys.executable)} -m emulator scenarios | head -n 1"
    done = subprocess.run(["sh", "-c", shell], capture_output=True, text=True, timeout=60)
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_readme_lists_each_shipped_scenario_with_the_description_the_cli_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's shipped-scenario table is the scenarios' own descriptions (what
    ``sms-emulator scenarios`` and ``GET /_emulator/scenario`` show), kept in step."""
    from pathlib import Path

    assert main(["scenarios"]) == 0
    printed = {}
    for line in capsys.readouterr().out.splitlines():
        name, description = line.split(maxsplit=1)
        printed[name] = description.removesuffix(" (default)")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].strip("`") in printed:
            table[cells[0].strip("`")] = cells[1].removesuffix(" (default)")
    assert table == printed


def test_scenarios_name_prints_the_shipped_file_to_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scenarios", "invalid-numbers", "opt-outs"]) == 0
    out = capsys.readouterr().out
    files = shipped_scenarios()
    first = files["invalid-numbers"].read_text(encoding="utf-8")
    assert out == first + "---\n" + files["opt-outs"].read_text(encoding="utf-8")
    copy = tmp_path / "mine.yaml"
    copy.write_text(out[: len(first)])
    assert main(["check-scenario", str(copy)]) == 0  # what it printed loads as it is


def test_scenarios_name_unknown_is_refused_with_the_closest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scenarios", "happy-path", "opt-out"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # nothing printed before the refusal
    assert err.startswith(
        "sms-emulator: error: unknown scenario 'opt-out' (did you mean 'opt-outs'?"
    )
