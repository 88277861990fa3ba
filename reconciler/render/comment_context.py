"""Where a PR comment comes from (the commit, the pull request, the run), said at its top;
light, since every plan names it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reconciler.render import markers


@dataclass(frozen=True, kw_only=True)
class CommentContext:
    """Where a comment comes from, so a reader knows what it reflects (GitHub Actions)."""

    head_sha: str | None = None
    pull_request: str | None = None
    base_branch: str | None = None
    run_id: str | None = None
    run_url: str | None = None
    time: str | None = None
    environment: str | None = None  # --env: one comment can hold a section per environment

    def heading(self, title: str = "streaks plan") -> str:
        """The section's heading, naming the environment when there is one."""
        where = f" · environment `{_code(self.environment)}`" if self.environment else ""
        return f"### {title}{where}"

    def lines(self, fingerprint: str | None) -> list[str]:
        """A visible line naming the commit, base, time and run; hidden lines for tools
        (nothing outside GitHub Actions, where there is no run to name)."""
        if replace(self, environment=None) == NO_CONTEXT:
            return []
        parts = []
        if self.head_sha:
            of = f" (head of #{self.pull_request})" if self.pull_request else ""
            parts.append(f"Plan of `{_code(self.head_sha[:12])}`{of}")
        if self.base_branch:
            parts.append(f"into `{_code(self.base_branch)}`")
        if self.time:
            parts.append(f"at {_code(self.time)}")
        visible = " ".join(parts)
        if self.run_url:
            visible += f" · [workflow run]({self.run_url})"
        if fingerprint:
            visible += f" · fingerprint `{fingerprint}`"
        hidden = [line for key, value in
                  (("fingerprint", fingerprint), ("run", self.run_id), ("head", self.head_sha))
                  if (line := markers.hidden(key, value)) is not None]
        return [*hidden, visible.strip(" ·"), ""] if visible or hidden else []


NO_CONTEXT = CommentContext()


def _code(text: str) -> str:
    return text.replace("`", "")
