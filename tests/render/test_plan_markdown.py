"""The plan as a pull-request comment: exact Markdown, no injection, under the size limit."""

from __future__ import annotations

from reconciler.plan.operations import Action, Change, Operation, Plan
from reconciler.render import plan_markdown
from tests.render.sample import PLAN


def test_markdown() -> None:
    md = plan_markdown.render(PLAN)
    assert md.startswith("<!-- streaks-plan -->\n### streaks plan\n\nPlan: 1 to create,")
    assert "| create | adopt | update | status | restore | rename | archive | unmanaged |" in md
    assert "| 1 | 1 | 1 | 1 | 1 | 1 | 1 | 1 |" in md
    assert ("> **2 destructive operation(s):** create Daily Login in t1 (rename without"
            " `renamed_from`), archive Gone in t2\n") in md
    assert ("> **1 live definition(s) made outside git adopted** (git's values replace their"
            " own): Console 1 in t1\n") in md
    assert ("> **2 change(s) affect live player streaks:** Weekly in t1 (update), Paused One in"
            " t2 (status)") in md
    assert "<details open><summary><b>t1</b>: 1 create, 1 adopt, 1 update</summary>" in md
    assert "    DANGER: rename without renamed_from: …\n" in md
    assert '! adopt "Console 1"\n    config.milestones[threshold=7].reward_item_id: null' in md
    # A danger's line is highlighted, never a green create; the danger is in the callout too.
    assert '```diff\n! create "Daily Login"  DANGER\n    description: "Log in"' in md
    assert "> - t1 Daily Login: rename without renamed\\_from: …\n" in md
    assert "t3" not in md


def test_markdown_cannot_be_injected() -> None:
    evil = Plan(operations=(Operation(
        action=Action.CREATE, tenant="t1", name="Safe", id=None,
        changes=(Change("description", None, "``` @everyone <img src=x> [x](http://e)"),)),),
        tenants=("t1",))
    md = plan_markdown.render(evil)
    body = md.split("<details", 1)[1]
    assert "````diff" in body  # the fence outgrows the three backticks inside
    assert body.count("````") == 2
    assert plan_markdown.inline("@team [x](y) *b*") == "@\u200bteam \\[x\\]\\(y\\) \\*b\\*"


def test_markdown_stays_under_the_comment_limit() -> None:
    ops = tuple(Operation(action=Action.CREATE, tenant=f"t{i % 50}", name=f"Def {i}", id=None,
                          changes=(Change("description", None, "x" * 200),))
                for i in range(2000))
    big = Plan(operations=ops, tenants=tuple(f"t{i}" for i in range(50)))
    md = plan_markdown.render(big)
    assert len(md) <= plan_markdown.LIMIT
    assert md.endswith(plan_markdown.CUT_NOTE)


def test_a_live_name_cannot_break_out_of_the_warning_block() -> None:
    evil = Plan(operations=(Operation(
        action=Action.ARCHIVE, tenant="t1", name="Gone\n\n# Free paragraph @here", id="x",
        pruned=True, warnings=("archives",)),), tenants=("t1",))
    md = plan_markdown.render(evil)
    block = md.split("> [!WARNING]\n", 1)[1].split("\n\n", 1)[0]
    assert all(line.startswith(">") for line in block.splitlines())
    assert "\n# Free paragraph" not in md
    assert "@here" not in block.replace("@\u200bhere", "")  # (inside code fences it is inert)


def test_a_frozen_tenant_is_said_above_the_diff() -> None:
    note = ("tenant tenant-a is frozen until 2026-11-30 05:00 UTC (Winter *tournament*): apply"
            " makes only its scheduled status changes unless --override-freeze")
    text = plan_markdown.render(Plan(tenants=("tenant-a",), notes=(note,)))
    assert ("> [!IMPORTANT]\n> tenant tenant\\-a is frozen until 2026\\-11\\-30 05:00 UTC"
            " \\(Winter \\*tournament\\*\\): apply makes only its scheduled status changes"
            " unless \\-\\-override\\-freeze  \n") in text


def test_identical_adoptions_are_one_entry_and_released_definitions_are_named() -> None:
    from reconciler.plan.operations import Unmanaged
    from reconciler.plan.scope import ScopedPlan

    adopts = tuple(Operation(action=Action.ADOPT, tenant=f"tenant-{i:02d}", name="Shop",
                             id=f"id-{i}") for i in range(32))
    released = Unmanaged(tenant="tenant-a", name="Old Login", id="u-1", status="active")
    introduced = Plan(operations=adopts, unmanaged=(released,),
                      tenants=tuple(sorted({"tenant-a", *(o.tenant for o in adopts)})))
    text = plan_markdown.render_scoped(ScopedPlan(
        full=introduced, introduced=introduced, pre_existing=Plan(tenants=introduced.tenants),
        resolved=0, base_ref="main"))
    assert ("> **32 live definition(s) made outside git adopted** (git's values replace their"
            " own): Shop in tenant\\-00, tenant\\-01, tenant\\-02 and 29 more tenants\n") in text
    assert ("> **1 definition(s) this pull request stops managing:** Old Login in tenant\\-a."
            " They stay live, unmanaged; to retire one, keep its file with `status: archived`"
            " instead\n") in text
    assert ('- released "Old Login" (id u-1, active): git stops managing it; it stays live (to'
            " retire it, keep its file with status: archived)") in text
