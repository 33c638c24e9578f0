"""The README's recipes do what they say, and the documentation's links lead somewhere.

Every command in the code blocks under the ``###`` headings of the README's ``## Recipes`` is
run here, through the CLI, on logs made from ``sample_logs/incidents.log`` with their times moved
to the last few hours (the recipes read ``--since 24h``, ``--since 10m``). A path under
``/var/log/`` becomes the test log of the same name (``access.log*`` stays a glob), a path under
``/srv/`` a file in a temporary directory. Each command has a check of what its recipe promises,
in the order the README lists them; a command without a check fails the test.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fleet import ObjectStore, local_cluster, object_store
from helpers import ROOT, fenced_blocks, line, markdown_section
from typer.testing import CliRunner, Result

from logstat.cli import app
from logstat.errors import ExitCode

README = (ROOT / "README.md").read_text(encoding="utf-8")
RECIPES = markdown_section(README, "## Recipes")
TIME = re.compile(r"\[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d) \+0000\]")
TIME_FORMAT = "%d/%b/%Y:%H:%M:%S"
INCIDENTS = (ROOT / "sample_logs" / "incidents.log").read_text(encoding="utf-8").splitlines()
OLD_LINES = 30
"""Lines from three days ago in ``access.log.2.gz``: outside every recipe's window."""


def recipe_commands() -> dict[str, list[str]]:
    """The logstat command lines of each recipe (its ``###`` heading), comments and cron fields removed."""
    found: dict[str, list[str]] = {}
    headings = [h for h in RECIPES.splitlines() if h.startswith("### ")]
    for heading in headings:
        commands = found.setdefault(heading[4:], [])
        for info, body in fenced_blocks(markdown_section(RECIPES, heading)):
            assert info in ("sh", "cron"), f"{heading}: a {info!r} block in a recipe"
            for text in body.splitlines():
                text = text.strip()
                if not text or text.startswith("#") or re.match(r"[A-Z_]+=", text):
                    continue  # a comment, or a crontab variable such as MAILTO
                if info == "cron":
                    fields = text.split(None, 5)
                    assert len(fields) == 6, f"not a crontab line: {text}"
                    text = fields[5]
                    # cron ends the command at an unescaped % (the rest becomes standard input).
                    assert re.search(r"(?<!\\)%", text) is None, f"unescaped % in a crontab line: {text}"
                    text = text.replace("\\%", "%")
                commands.append(text)
    return found


@dataclass
class Run:
    """Runs one recipe command on the logs in ``logs``, writing its files into ``out``."""

    command: str
    logs: Path
    out: Path

    def args(self) -> list[str]:
        words = shlex.split(self.command, comments=True)
        assert words[0] == "logstat", self.command
        args = []
        for word in words[1:]:
            if word.startswith("/var/log/"):
                word = str(self.logs / Path(word).name)
            elif word.startswith("/srv/"):
                word = str(self.out / Path(word).name)
            args.append(word)
        return args

    def __call__(self, logs: Path | None = None) -> Result:
        if logs is not None:
            self.logs = logs
        return CliRunner().invoke(app, self.args())


def shifted_incidents(end: datetime) -> list[str]:
    """``incidents.log`` moved in time (by whole minutes) so that its last line is at ``end``."""
    last = datetime.strptime(TIME.findall(INCIDENTS[-1])[0], TIME_FORMAT).replace(tzinfo=UTC)
    shift = timedelta(minutes=(end - last) // timedelta(minutes=1))

    def move(match: re.Match[str]) -> str:
        moved = datetime.strptime(match[1], TIME_FORMAT).replace(tzinfo=UTC) + shift
        return f"[{moved:{TIME_FORMAT}} +0000]"

    return [TIME.sub(move, text, count=1) for text in INCIDENTS]


def write(path: Path, lines: list[str]) -> None:
    data = "".join(f"{text}\n" for text in lines).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    """``access.log`` and its rotated ``access.log.1.gz``: the incidents sample, ending two minutes
    ago; and ``access.log.2.gz`` of three days ago, which the recipes' windows leave out."""
    where = tmp_path / "logs"
    where.mkdir()
    lines = shifted_incidents(datetime.now(UTC) - timedelta(minutes=2))
    write(where / "access.log.1.gz", lines[:200])
    write(where / "access.log", lines[200:])
    old = datetime.now(UTC) - timedelta(days=3)
    write(where / "access.log.2.gz", [line(500, old + timedelta(seconds=i)) for i in range(OLD_LINES)])
    return where


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def ok(result: Result) -> None:
    assert result.exit_code == ExitCode.OK, (result.exit_code, result.stderr, result.exception)


# What each recipe promises, one check per command.


def last_hour_per_minute(run: Run, out: Path) -> None:
    result = run()
    ok(result)
    assert "outside the time window" in result.stdout  # the log spans more than the hour
    span = re.search(r"Requests per minute, (\S+ \S+) → (\S+ \S+) UTC", result.stdout)
    assert span is not None, "no chart per minute"
    start, end = (datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) for s in span.groups())
    assert timedelta(0) < end - start <= timedelta(hours=1)
    assert datetime.now(UTC) - start <= timedelta(hours=1, minutes=1)


def rotated_files_last_day(run: Run, out: Path) -> None:
    result = run()
    ok(result)
    # All 411 incident lines (in access.log and access.log.1.gz), not the 30 of three days ago.
    assert f"411 parsed, {OLD_LINES} outside the time window" in result.stdout
    assert "Requests by status code" in result.stdout


def in_chinese(run: Run, out: Path) -> None:
    result = run()
    ok(result)
    assert "按状态码统计" in result.stdout and "Requests by status code" not in result.stdout


def explains_a_code(run: Run, out: Path) -> None:
    result = run()
    ok(result)
    code = run.args()[-1]
    assert re.match(rf"{code} \S", result.stdout)
    assert "Likely causes:" in result.stdout and "What to check:" in result.stdout


def _fill_store(logs: Path, out: Path) -> None:
    """What the 10-minute job does before the daily report: read the logs into the store."""
    result = CliRunner().invoke(app, ["summarize", str(logs / "access.log*"), "--state", str(out / "state.db"), "-q"])
    ok(result)


def daily_report(run: Run, out: Path) -> None:
    _fill_store(run.logs, out)
    result = run()
    ok(result)
    html = (out / "daily.html").read_text(encoding="utf-8")
    assert "<svg" in html, "the daily HTML report has no chart"
    codes = csv_rows(out / "daily.csv")
    assert list(codes[0])[:4] == ["status", "raw_status", "class", "count"]
    assert sum(int(row["count"]) for row in codes) == len(INCIDENTS)  # the last day, all files
    assert "Requests by status code" in result.stdout  # the mail
    assert "Requests per hour" in result.stdout


def ten_minute_alert(run: Run, out: Path) -> None:
    now = datetime.now(UTC)
    recent = [now - timedelta(seconds=60 + i % 240) for i in range(1000)]  # 1 to 5 minutes ago
    an_hour_ago = [now - timedelta(hours=1, seconds=i) for i in range(1000)]

    def alert(name: str, statuses: list[int], old_statuses: list[int]) -> Result:
        """The job's run after one that read the lines of an hour ago: it reports on the new lines."""
        where = out.parent / name
        where.mkdir()
        run.out = where  # each case has a store of its own
        write(where / "access.log", [line(s, t) for s, t in zip(old_statuses, an_hour_ago, strict=False)])
        run(where)
        with (where / "access.log").open("a", encoding="utf-8") as log:
            log.writelines(line(s, t) + "\n" for s, t in zip(statuses, recent, strict=False))
        return run(where)

    # Quiet: the 5xx of an hour ago were read by the run before, and nothing is printed.
    calm = alert("calm", [200] * 300, [502] * 300)
    assert (calm.exit_code, calm.stdout, calm.stderr) == (ExitCode.OK, "", "")
    # 5 of 100 new requests are 502: the 5xx rule holds, and only the verdict is printed.
    errors = alert("errors", [200] * 95 + [502] * 5, [])
    assert errors.exit_code == ExitCode.THRESHOLD and errors.stdout == ""
    assert errors.stderr.splitlines() == ["logstat: threshold: 5xx>1%: 5.0% (5 of 100 requests)"]
    # 200 clients gave up: the 499 rule holds.
    aborts = alert("aborts", [200] * 800 + [499] * 200, [])
    assert aborts.exit_code == ExitCode.THRESHOLD and aborts.stdout == ""
    assert [v.split(":")[2].strip() for v in aborts.stderr.splitlines()] == ["499>=200"]
    assert (out.parent / "aborts" / "state.db").exists()


def dashboard_export(run: Run, out: Path) -> None:
    result = run()
    ok(result)
    assert result.stdout == ""
    rows = csv_rows(out / "hourly.csv")
    assert list(rows[0]) == ["period_start", "status", "class", "count", "raw_status"]
    hours = {row["period_start"] for row in rows}
    statuses = {row["status"] for row in rows}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z", hour) for hour in hours)
    assert 3 <= len(hours) <= 5 and len(rows) == len(hours) * len(statuses)  # one row per hour and status
    assert any(row["count"] == "0" for row in rows)  # quiet hours have their zero rows
    assert sum(int(row["count"]) for row in rows) == len(INCIDENTS)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["totals"]["parsed"] == len(INCIDENTS) and report["totals"]["filtered"] == OLD_LINES
    assert report["series"]["period"] == "hour"
    assert sum(row["count"] for row in report["series"]["rows"]) == len(INCIDENTS)
    assert report["by_code"] and report["findings"]


def _in_the_fleet(run: Run, use: Callable[[list[str], ObjectStore, Path], None]) -> None:
    """Run a Fleet command for real: its S3 objects on moto's S3 server, its scheduler a LocalCluster.

    The test logs become the objects under ``s3://logs/nginx/2026/11/``; the bucket the export
    writes to exists; the scheduler address becomes the local cluster's.
    """
    with object_store() as store, local_cluster(workers=2) as address:
        store.client.create_bucket(Bucket="lake")
        for path in sorted(run.logs.iterdir()):
            store.put(f"nginx/2026/11/{path.name}", path.read_bytes())
        args = [address if word == "tcp://scheduler:8786" else word for word in run.args()]
        use([*args, *store.cli_options()], store, run.logs)


def fleet_report(run: Run, out: Path) -> None:
    def use(args: list[str], store: ObjectStore, logs: Path) -> None:
        ok(CliRunner().invoke(app, args))
        local = CliRunner().invoke(app, ["summarize", str(logs / "access.log.1.gz"), str(logs / "access.log.2.gz"),
                                         "-o", str(out / "local.html")])
        ok(local)

    _in_the_fleet(run, use)
    html = (out / "november.html").read_text(encoding="utf-8")
    local = (out / "local.html").read_text(encoding="utf-8")
    assert "Requests by status code" in html or "<table" in html
    # Only the inputs' names (s3:// URLs against paths) and the generation time differ.
    assert html.count("<tr") == local.count("<tr")


def fleet_export(run: Run, out: Path) -> None:
    def use(args: list[str], store: ObjectStore, logs: Path) -> None:
        result = CliRunner().invoke(app, args)
        ok(result)
        keys = [o["Key"] for o in store.client.list_objects_v2(Bucket="lake")["Contents"]]
        assert keys and all(k.startswith("access/requests/date=") or k.startswith("access/unparsed/") for k in keys)
        gz = len(INCIDENTS[:200]) + OLD_LINES
        assert result.stdout.startswith(f"exported {gz:,} requests and 0 unparsed lines from 2 inputs")

    _in_the_fleet(run, use)


def live_view(run: Run, out: Path) -> None:
    # A real pseudo-terminal, drawn by a VT100 emulator (tests/test_live.py); not CliRunner.
    from test_live import Terminal, append

    args = run.args()
    log = Path(args[1])
    more = log.read_text(encoding="utf-8").splitlines()[-40:]
    statuses = Counter(re.search(r'" ([0-9]{3}) ', text).group(1) for text in more)  # type: ignore[union-attr]
    term = Terminal(args[1:])
    try:
        term.wait_for(lambda text: "? keys" in text, "the live view")
        append(log, "".join(f"{text}\n" for text in more))
        term.wait_for_codes(dict(statuses))
        term.child.send("?")
        term.wait_for(lambda text: "show or hide these keys" in text, "the list of keys")
        term.child.send("q")
        assert term.exit_status() == ExitCode.OK
    finally:
        term.stop()


def plain_lines(run: Run, out: Path) -> None:
    from test_live import PLAIN, append

    args = run.args()
    more = Path(args[1]).read_text(encoding="utf-8").splitlines()[-2:]
    child = subprocess.Popen([sys.executable, "-m", "logstat", *args], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert PLAIN.match(child.stdout.readline().strip())
        append(Path(args[1]), "".join(f"{text}\n" for text in more))
        counted = 0
        while counted < 2:
            match = PLAIN.match(child.stdout.readline().strip())
            assert match
            counted += int(match.group(1))
        assert counted == 2
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


CHECKS: dict[str, list[Callable[[Run, Path], None]]] = {
    "In a terminal": [last_hour_per_minute, rotated_files_last_day, in_chinese, explains_a_code],
    "Live": [live_view, plain_lines],
    "Cron": [ten_minute_alert, daily_report],
    "Dashboard": [dashboard_export],
    "Fleet": [fleet_report, fleet_export],
}
"""Each recipe (by the start of its heading) and the check of each of its commands, in order."""


def _recipe(heading: str) -> str:
    return next(name for name in CHECKS if heading.startswith(name))


COMMANDS = [
    (heading, index, command)
    for heading, commands in recipe_commands().items()
    for index, command in enumerate(commands)
]


def test_every_recipe_is_there_and_every_command_has_a_check() -> None:
    found = recipe_commands()
    assert sorted(_recipe(heading) for heading in found) == sorted(CHECKS)
    for heading, commands in found.items():
        assert len(commands) == len(CHECKS[_recipe(heading)]), heading


@pytest.mark.parametrize(("heading", "index", "command"), COMMANDS, ids=[c for _, _, c in COMMANDS])
def test_recipe_command_does_what_it_says(heading: str, index: int, command: str, logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    CHECKS[_recipe(heading)][index](Run(command, logs, out), out)


def test_ci_runs_the_commands_the_readme_shows() -> None:
    """``.ci/run`` runs the first line of the first ``sh`` block under these two headings."""
    for heading, command in (
        ("## Quick start", "pip install . && logstat summarize sample_logs/incidents.log"),
        ("## Running the tests", "pip install -e '.[test]' && pytest"),
    ):
        first_sh = next(body for info, body in fenced_blocks(markdown_section(README, heading)) if info == "sh")
        assert first_sh.splitlines()[0] == command


DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)|<img src=\"([^\"]+)\"")


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)
    return {github_anchor(h) for h in re.findall(r"^#+ (.+)$", prose, flags=re.MULTILINE)}


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_relative_links_lead_to_a_file_and_a_heading(doc: Path) -> None:
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)
    targets = [a or b for a, b in LINK.findall(text)]
    broken = []
    for target in targets:
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        name, _, anchor = target.partition("#")
        path = (doc.parent / name).resolve() if name else doc
        if not path.exists() or (anchor and anchor not in anchors(path)):
            broken.append(target)
    assert broken == []


def test_readme_links_every_doc_and_both_screenshots() -> None:
    linked = {a or b for a, b in LINK.findall(README)}
    wanted = {str(d.relative_to(ROOT)) for d in DOCS[1:]} | {"docs/images/terminal.svg", "docs/images/report.png"}
    assert wanted <= linked


def test_evidence_doc_states_every_finding_rule() -> None:
    source = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "logstat" / "report").glob("findings*.py"))
    rules = set(re.findall(r'Finding\(\s*"(\w+)"', source))
    assert len(rules) >= 11
    documented = set(re.findall(r"^\| `(\w+)` \|", (ROOT / "docs" / "evidence.md").read_text(encoding="utf-8"), re.M))
    assert documented == rules
