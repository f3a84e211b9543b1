"""`make cluster-faults` adds each run's figures to docs/reliability.md as a dated section, keeping earlier runs."""

from pathlib import Path

from bench import cluster_faults


def result(reads: int, load_average: float) -> dict:
    """The figures a run hands to write_report, with ``reads`` and the load average telling runs apart."""
    window = {"requests": 10, "failed": 0, "slowest_ms": 120.0}
    return {
        "web": {"down_for": 8.0, "retried": 2, "healthy_after_restart": 1.5, "routed_after_restart": 3.0},
        "worker": {"interrupted": [1, 2], "recovery": 19.0},
        "postgres": {"took": 1.2, "retried": 0, "recovery": 1.4},
        "web_reads": window,
        "web_posts": window,
        "pg_reads": window,
        "pg_posts": window,
        "load_seconds": 90.0,
        "load_average": (load_average, 2.0, 1.0),
        "load_average_after": (load_average + 1, 2.0, 1.0),
        "reads": reads,
        "reads_failed": 0,
        "read_p95_ms": 250.0,
        "read_failures_by_status": {},
        "resubmitted": {},
        "served_again": 1,
        "marks_waited": 0,
        "writes_sent": 5,
        "writes_acknowledged": 5,
        "writes_lost": 0,
        "writes_duplicated": 0,
        "verifies_acknowledged": 5,
        "verifies_lost": 0,
        "verifies_duplicated": 0,
        "emails": 3,
        "digests_sent": 3,
        "emails_duplicated": 0,
        "emails_missing": 0,
        "notifications_undelivered": 0,
        "settled": 4.0,
    }


def test_each_run_is_added_on_top_of_the_earlier_ones(tmp_path, monkeypatch):
    monkeypatch.delenv("MAKELEVEL", raising=False)
    # The command line names the process's niceness: the suite itself may run under nice (a CI machine's choice).
    monkeypatch.setattr(cluster_faults.os, "nice", lambda increment: 0)
    document = tmp_path / "reliability.md"
    begin, end = cluster_faults.BEGIN, cluster_faults.END
    document.write_text(f"# Reliability\n\nProse before.\n\n{begin}\n{end}\nProse after.\n")

    cluster_faults.write_report(document, result(reads=111, load_average=3.5), None, ["--seconds", "60"])
    cluster_faults.write_report(
        document,
        {**result(reads=222, load_average=7.25), "failed_requests": ["GET /reports/ -> 500 at 1.00-1.20 s"]},
        None,
        [],
    )

    text = document.read_text()
    assert text.startswith("# Reliability\n\nProse before.\n") and text.endswith(f"{end}\nProse after.\n")
    section = text.partition(begin)[2].partition(end)[0]
    assert section.count(cluster_faults.RUNS_HEADING) == 1
    runs = section.split("### Run of ")[1:]
    assert len(runs) == 2, "the earlier run is kept"
    newest, earlier = runs
    assert "| 222 (p95 250 ms) |" in newest and "load average 7.2, 2.0, 1.0" in newest
    assert "`python bench/cluster_faults.py`" in newest
    assert "- `GET /reports/ -> 500 at 1.00-1.20 s`" in newest and "Requests answered with an error" not in earlier
    assert "| 111 (p95 250 ms) |" in earlier and "load average 3.5, 2.0, 1.0" in earlier
    assert "`python bench/cluster_faults.py --seconds 60`" in earlier


def test_the_command_is_the_one_to_type_again(monkeypatch):
    monkeypatch.setenv("MAKELEVEL", "1")
    monkeypatch.setattr(cluster_faults.os, "nice", lambda increment: 10)
    assert cluster_faults.command_line([]) == "nice -n 10 make cluster-faults"
    again = cluster_faults.command_line(["--seconds", "60"])
    assert again == "nice -n 10 make cluster-faults FAULT_ARGS='--seconds 60'"


def test_the_repository_document_has_one_runs_heading():
    text = (Path(cluster_faults.ROOT) / "docs" / "reliability.md").read_text()
    section = text.partition(cluster_faults.BEGIN)[2].partition(cluster_faults.END)[0]
    assert section.lstrip().startswith(cluster_faults.RUNS_HEADING + "\n")
    assert section.count("### Run of ") >= 1
