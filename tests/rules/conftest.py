"""The scenario suites' figures per half (dev, test), printed at the end of a run that includes them."""

from __future__ import annotations


def _verdicts(terminalreporter) -> list[dict]:
    reports = [r for kind in ("passed", "failed", "xfailed", "xpassed") for r in terminalreporter.stats.get(kind, [])]
    return [value for r in reports if r.when == "call" for name, value in r.user_properties if name == "scenario_verdict"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    verdicts = _verdicts(terminalreporter)
    if not verdicts:
        return
    terminalreporter.section("rule scenario suites")
    for half in sorted({v["half"] for v in verdicts}):
        ran = [v for v in verdicts if v["half"] == half]
        right = sum(v["right"] for v in ran)
        bad = [v for v in ran if not v["conforming"]]
        good = [v for v in ran if v["conforming"]]
        terminalreporter.write_line(
            f"{half}: right (grade and clause) {right}/{len(ran)} ({100 * right / len(ran):.0f} %); "
            f"nonconforming {len(bad)}: detected {sum(v['detected'] for v in bad)}, "
            f"right clause {sum(v['clause'] for v in bad)}, right grade and clause {sum(v['right'] for v in bad)}, "
            f"every expected finding {sum(v['every'] for v in bad)}, "
            f"findings citing no expected clause {sum(v['unexpected'] for v in bad)}; "
            f"conforming {len(good)}: false alarms {sum(not v['right'] for v in good)}; "
            f"missed: {', '.join(v['id'] for v in ran if not v['right']) or 'none'}"
        )
