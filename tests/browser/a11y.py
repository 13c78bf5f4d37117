"""axe-core in the browser tests: ``assert_accessible(page)`` fails with a readable list of the
page's serious and critical violations.

axe-core comes from npm (``package.json``, ``npm ci``). It is evaluated in the page through the
DevTools protocol (``frame.evaluate``), which the pages' Content-Security-Policy does not apply
to, so each page is checked under its real policy (``add_script_tag`` would inline it and be
refused). A frame of another origin (the chat window on a shop's page) is checked on its own:
pass the frame. Without ``node_modules/axe-core`` the check skips locally and fails under CI.
"""

import os
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _need_axe() -> None:
    if AXE.exists():
        return
    message = f"{AXE.relative_to(ROOT)} is missing: run `npm ci` (axe-core is in package.json)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def axe_violations(frame, *, exclude: tuple[str, ...] = ()) -> list[dict]:
    """The serious and critical violations axe finds in ``frame`` (a Playwright page or frame),
    leaving out the elements matching ``exclude`` (CSS selectors) and other frames' documents."""
    _need_axe()
    if not frame.evaluate("typeof window.axe !== 'undefined'"):
        frame.evaluate(_axe_source())
    results = frame.evaluate(
        """async (exclude) => {
            const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
            const results = await axe.run(context, {iframes: false, resultTypes: ['violations']});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.join(' '), summary: n.failureSummary,
                })),
            }));
        }""",
        list(exclude),
    )
    return [v for v in results if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            why = (node["summary"] or "").replace("\n", " ").strip()
            lines.append(f"    {node['target']}  {why[:300]}")
    return "\n".join(lines)


def assert_accessible(frame, *, name: str = "", exclude: tuple[str, ...] = ()) -> None:
    violations = axe_violations(frame, exclude=exclude)
    if violations:
        where = name or frame.url
        pytest.fail(
            f"axe-core: {len(violations)} serious or critical violation(s) on {where}:\n"
            + describe(violations),
            pytrace=False,
        )
