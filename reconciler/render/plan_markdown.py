"""The plan as Markdown for a pull-request comment.

Summary counts first, then one collapsible section per tenant. Every value a user wrote
(names, descriptions, event types, expression values) is shown inside a code fence longer
than any run of backticks it holds, so it cannot inject markup, links or @mentions. A hidden
marker line lets a workflow find and update the same comment. The whole text stays under
GitHub's 65,536-character limit; past it, sections are cut with a note.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.model.untrusted import one_line
from reconciler.plan.codec import SUMMARY_KEYS, fingerprint
from reconciler.plan.operations import Action, Operation, Plan
from reconciler.plan.scope import ScopedPlan
from reconciler.render import markers, policy_forms
from reconciler.render.comment_context import NO_CONTEXT, CommentContext
from reconciler.render.plan_text import (
    change_lines,
    headline,
    origin_line,
    partial_lines,
    schedule_change_lines,
    schedule_lines,
    summary_line,
    value,
)
from reconciler.render.reach import reach_lines
from reconciler.render.symbols import look
from reconciler.render.wrap import wrap, wrap_fix

MARKER = markers.PLAN
LIMIT = 65_536
CUT_NOTE = ("\n**The plan is too long for one comment and was cut here.** The full plan is in"
            " the workflow run's artifact.\n")


def inline(text: str) -> str:
    """Text safe outside a code block: markup characters escaped, mentions defused."""
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", text)
    escaped = escaped.replace("\r", "\\r").replace("\n", "\\n")  # stay on one line
    return escaped.replace("@", "@\u200b")


def fenced(body: str, lang: str = "") -> str:
    """``body`` in a code fence no backtick run inside it can close."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"




def render(plan: Plan, *, marker: str = MARKER, title: str = "streaks plan",
           context: CommentContext = NO_CONTEXT, impact: str = "") -> str:
    """The comment body (``impact``: its Player impact section, under the rules' verdict)."""
    head = [marker, context.heading(title), "",
            *context.lines(fingerprint(plan) if marker else None),
            *lock_banner(plan), *policy_forms.markdown(plan.policy), *_section(impact)]
    return _fit(head, [(plan, "", False)], _schedules(plan))


def lock_banner(plan: Plan) -> list[str]:
    """The emergency lock, above everything: nothing merged applies while it holds."""
    if plan.lock is None:
        return []
    return ["> [!CAUTION]", f"> **Locked:** {inline(plan.lock)}  ",
            "> Nothing is applied until it is unlocked (`streaks unlock`); a merge now waits.",
            ""]


def error(message: str, *, context: CommentContext = NO_CONTEXT) -> str:
    """The comment when planning failed: the error in place of the plan, never a stale one."""
    return "\n".join([MARKER, context.heading(), "", *context.lines(None),
                      "**The plan failed**, so no plan is shown (an earlier one is withdrawn)."
                      " Fix the cause and push again:", "", fenced(message), ""])


def _section(text: str) -> list[str]:
    return [text.rstrip("\n"), ""] if text else []


def render_scoped(scoped: ScopedPlan, *, marker: str = MARKER,
                  context: CommentContext = NO_CONTEXT, chart: str = "",
                  impact: str = "") -> str:
    """The PR comment for ``plan --base-ref``: this PR's changes first, then base's, then
    ``chart`` (the gantt chart of the schedules it changes) when it fits."""
    reach = reach_lines(scoped.reach)
    head = [marker, context.heading(), "", *context.lines(fingerprint(scoped.full)),
            *lock_banner(scoped.full), *([" ".join(inline(r) for r in reach), ""]
                                         if reach else []),
            *policy_forms.markdown(scoped.full.policy), *_section(impact)]
    parts = [(scoped.introduced, "#### Changes this pull request introduces", True)]
    if scoped.pre_existing.operations or scoped.pre_existing.unmanaged:
        parts.append((scoped.pre_existing,
                      f"#### Already different on `{scoped.base_ref.replace('`', '')}`, not from"
                      " this"
                      " pull request (pending from earlier merges, or drift)", False))
    if scoped.resolved:
        head += [f"This pull request also resolves {scoped.resolved} difference(s) that exist"
                 " on base.", ""]
    return _fit(head, parts, _schedules(scoped.full) + chart)


def _schedules(plan: Plan) -> str:
    """The schedules a change edits, window by window, and the scheduled definitions'
    status and next change, when there are any."""
    out = ""
    for lines, lang in ((schedule_change_lines(plan), "diff"), (schedule_lines(plan), "")):
        if lines:
            fitted = [w for line in lines[1:] for w in wrap(
                line, "", " " * (len(line) - len(line.lstrip()) + 4))]
            out += (f"#### {inline(lines[0].rstrip(':'))}\n\n"
                    f"{fenced(chr(10).join(fitted), lang)}\n\n")
    return out


def _fit(head: list[str], parts: list[tuple[Plan, str, bool]], tail: str = "") -> str:
    text = "\n".join(head) + "\n"
    for plan, title, releases in parts:
        intro, sections = _body(plan, title, releases)
        text += intro
        for section in sections:
            if len(text) + len(section) + len(CUT_NOTE) > LIMIT:
                return text + CUT_NOTE
            text += section
    if tail and len(text) + len(tail) <= LIMIT:
        text += tail
    return text


def _body(plan: Plan, title: str, releases: bool = False) -> tuple[str, list[str]]:
    """A part of the comment; ``releases``: its unmanaged definitions are ones this pull
    request stops managing (the part it introduces), not console-made ones."""
    head = [title, ""] if title else []
    head += [summary_line(plan), ""]
    counts = plan.summary()
    head.append("| " + " | ".join(SUMMARY_KEYS) + " |")
    head.append("|" + "---|" * len(SUMMARY_KEYS))
    head.append("| " + " | ".join(str(counts[k]) for k in SUMMARY_KEYS) + " |")
    head.append("")
    if plan.partial:
        head += ["> [!WARNING]", f"> {inline(partial_lines(plan)[0])}", ""]
    if plan.notes:  # a frozen tenant, above all: the reviewer must see it before the diff
        head.append("> [!IMPORTANT]")
        head.extend(f"> {inline(note)}  " for note in plan.notes)
        head.append("")
    destructive, adopted, affecting = plan.destructive(), plan.adopted(), plan.affecting()
    released = plan.unmanaged if releases else ()
    if destructive or adopted or affecting or released:
        head.append("> [!WARNING]")
        if destructive:
            head.append(f"> **{len(destructive)} destructive operation(s):** " + ", ".join(
                _destructive(op) for op in destructive))
            # Each danger in full, with its fix, outside the code block: nothing cut off.
            head.extend(f"> - {inline(op.tenant)} {inline(op.name)}: {inline(d)}"
                        for op in destructive for d in op.dangers)
        if adopted:
            head.append(f"> **{len(adopted)} live definition(s) made outside git adopted**"
                        " (git's values replace their own): " + _grouped(adopted))
        if affecting:
            head.append(f"> **{len(affecting)} change(s) affect live player streaks:** "
                        + ", ".join(f"{inline(op.name)} in {inline(op.tenant)} ({op.action})"
                                    for op in affecting))
        if released:
            head.append(f"> **{len(released)} definition(s) this pull request stops"
                        " managing:** " + ", ".join(f"{inline(u.name)} in {inline(u.tenant)}"
                                                   for u in released)
                        + ". They stay live, unmanaged; to retire one, keep its file with"
                        " `status: archived` instead")
        head.append("")
    sections = [s for s in (_tenant(plan, t, releases) for t in plan.tenants) if s]
    return "\n".join(head) + "\n", sections


def _grouped(ops: tuple[Operation, ...]) -> str:
    """Operations by definition name: one entry per name, with its tenants (counted past
    three), so adopting one definition in 32 tenants is one line."""
    names: dict[str, list[str]] = {}
    for op in ops:
        names.setdefault(op.name, []).append(op.tenant)
    out = []
    for name, tenants in names.items():
        where = ", ".join(inline(t) for t in tenants[:3])
        if len(tenants) > 3:
            where += f" and {len(tenants) - 3} more tenants"
        out.append(f"{inline(name)} in {where}")
    return "; ".join(out)


def _destructive(op: Operation) -> str:
    what = f"{op.action} {inline(op.name)} in {inline(op.tenant)}"
    return f"{what} (rename without `renamed_from`)" if op.dangers else what


def _tenant(plan: Plan, tenant: str, releases: bool = False) -> str:
    ops, unmanaged = plan.for_tenant(tenant)
    if not ops and not unmanaged:
        return ""
    lines: list[str] = []
    for op in ops:
        lines.extend(_operation(op))
    lines.extend(f"- released {value(u.name)} (id {one_line(u.id)}, {one_line(u.status)}):"
                 " git stops managing it; it stays live (to retire it, keep its file with"
                 " status: archived)" if releases else
                 f"? unmanaged {value(u.name)} (id {one_line(u.id)}, {one_line(u.status)}):"
                 " not in git, left alone"
                 for u in unmanaged)
    parts = [f"{sum(1 for o in ops if o.action is a)} {a}" for a in Action
             if any(o.action is a for o in ops)]
    if unmanaged:
        parts.append(f"{len(unmanaged)} unmanaged")
    open_attr = " open" if any(o.destructive or o.warnings for o in ops) else ""
    from html import escape

    return (f"<details{open_attr}><summary><b>{escape(tenant)}</b>: {', '.join(parts)}"
            f"</summary>\n\n{fenced(chr(10).join(lines), 'diff')}\n\n</details>\n\n")


def _operation(op: Operation) -> list[str]:
    # A danger's line is highlighted (!), never green (+); every line fits 100 columns.
    out = [f"! {headline(op)}  DANGER" if op.dangers else f"{look(op.action).sign} {headline(op)}"]
    origin = origin_line(op)
    if origin is not None:
        out.extend(wrap(origin, "    ", "        "))
    out.extend(w for line in change_lines(op) for w in wrap(line, "    ", "        "))
    out.extend(line for d in op.dangers for line in wrap_fix(one_line(d), "    DANGER: "))
    out.extend(line for w in op.warnings for line in wrap(one_line(w), "    WARNING: "))
    return out


def form(plan: Plan | ScopedPlan, *, chart: str = "", impact: str = "", **_: Any) -> str:
    """The plan's ``markdown`` form (of the registry, :mod:`reconciler.render.forms`)."""
    return render_scoped(plan, chart=chart, impact=impact) if isinstance(plan, ScopedPlan) \
        else render(plan, impact=impact)
