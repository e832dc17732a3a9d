"""Who may see what on the dashboard: the one place the access rules live.

* Roles: ``owner`` and ``admin`` are the annotation leads (:data:`LEADS`) and see every page and
  every person's figures of the tasks they may see; an ``annotator`` sees team aggregates and
  their own figures only (:func:`may_see_annotator`), and not the Drift, Judges and Feedback pages
  (:data:`PAGES`, :func:`allowed_pages`).
* Workspaces: an owner sees every task; anyone else only the tasks whose every round was created
  in an Argilla workspace they are a member of (:class:`Scope`, :func:`may_open_task`).
* Redaction: what an annotator is shown of a view built for everyone (:func:`redact_overview`,
  :func:`redact_calibration`, :func:`redact_gate`): no other person's name, figure or count.

Pure: no Streamlit, no I/O. The sign-in itself (Argilla tokens, the session check) is
:mod:`workbench.dashboard.auth`; the cached entry points (:mod:`workbench.dashboard.cache`) and the
pages apply these rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

#: The roles that are annotation leads.
LEADS = ("owner", "admin")


@dataclass(frozen=True)
class Scope:
    """The Argilla workspaces whose tasks a user may see; ``workspaces=None``: every one (owners).

    Hashable: it is part of the arguments of the cached entry points.
    """

    workspaces: frozenset | None

    @property
    def everything(self) -> bool:
        return self.workspaces is None

    def visible_rounds(self, rounds):
        """The rows of a rounds table (``task``, ``workspace``, ...) of the tasks this scope sees: a
        task is seen only when every one of its rounds lies in one of the workspaces (its
        task-level views pool all its rounds)."""
        if self.workspaces is None or rounds is None or len(rounds) == 0:
            return rounds
        outside = rounds["task"][~rounds["workspace"].isin(self.workspaces)]
        return rounds[~rounds["task"].isin(set(outside))]

    def sees_task(self, rounds, task: str) -> bool:
        """Whether ``task`` may be shown, given the store's rounds table (all tasks). A task with no
        round in the store has no figures there to show (its guideline files are the project's)."""
        if self.workspaces is None:
            return True
        mine = rounds[rounds["task"] == task] if rounds is not None and len(rounds) else rounds
        if mine is None or len(mine) == 0:
            return True
        return bool(mine["workspace"].isin(self.workspaces).all())


EVERYTHING = Scope(None)


def is_lead(role: str) -> bool:
    return role in LEADS


def scope_of(role: str, workspaces) -> Scope:
    """What a user may see: owners everything, others their workspaces' tasks."""
    return EVERYTHING if role == "owner" else Scope(frozenset(workspaces))


def may_open_task(scope: Scope, rounds, task: str, project_tasks) -> bool:
    """Whether a URL naming ``task`` may be served: a task of the store (``rounds``, all tasks) that
    ``scope`` may see, or a task file of the project (``project_tasks``: names) with no round in the
    store (its guideline only). A task of another workspace and a task that does not exist get the
    same answer (the URL cannot tell them apart)."""
    if len(rounds) and task in set(rounds["task"]):
        return scope.sees_task(rounds, task)
    return task in project_tasks


def require_task(scope: Scope, rounds, task: str) -> None:
    """``PermissionError`` unless ``scope`` may see ``task``."""
    if not scope.sees_task(rounds, task):
        raise PermissionError(f"task {task!r} is not in any of your Argilla workspaces")


# --------------------------------------------------------------------------------------------
# Pages and people
# --------------------------------------------------------------------------------------------

#: Pages: key -> (title, who may open it)
PAGES = {
    "overview": ("Overview", "everyone"),
    "calibration": ("Calibration round", "everyone"),
    "annotator": ("Annotator", "everyone"),
    "drift": ("Drift", "leads"),
    "guidelines": ("Guidelines", "everyone"),
    "judges": ("Judges", "leads"),
    "feedback": ("Feedback", "leads"),
}


def allowed_pages(user) -> list[str]:
    """The pages ``user`` may open, in menu order."""
    return [k for k, (_, who) in PAGES.items() if who == "everyone" or is_lead(user.role)]


def may_open(user, page: str) -> bool:
    return user is not None and page in allowed_pages(user)


def may_see_annotator(viewer, annotator: str) -> bool:
    """The one rule for per-person figures: leads see everyone (of the tasks their :class:`Scope`
    lets them see); an annotator only themself. ``viewer``: anything with ``username`` and ``role``."""
    return is_lead(viewer.role) or viewer.username == annotator


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as the cached views are keyed on it (name and role, no token)."""

    username: str
    role: str


def require_annotator(viewer_name: str, viewer_role: str, annotator: str) -> None:
    """``PermissionError`` unless the viewer may see ``annotator``'s figures (:func:`may_see_annotator`)."""
    if not may_see_annotator(Viewer(viewer_name, viewer_role), annotator):
        raise PermissionError(f"{viewer_name!r} may see only their own figures, not {annotator!r}'s")


# --------------------------------------------------------------------------------------------
# Redaction: what an annotator is shown of a view built for everyone
# --------------------------------------------------------------------------------------------


def _scrub(text: str, names) -> str:
    """``text`` with each of ``names`` (as a whole word) replaced by "an annotator"."""
    for n in sorted((n for n in names if n), key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(n)}(?![\w-])", "an annotator", text)
    return text


def redact_gate(gate, username: str):
    """A gate result as annotator ``username`` may see it: the team-level checks (each question's
    alpha, missing gold) and her own agreement with gold; nothing about any other annotator - no
    name, no per-person reason, no count of those below the gold bar.

    (Each failed per-person check is one reason, so even anonymised they would tell how many
    others failed and on which question; they are left out, not reworded.)
    """
    if gate is None:
        return None
    names = {a.annotator for a in gate.annotators} | {d for q in gate.questions for d in q.deviating}
    names.discard(username)
    others_reasons = {a.reason for a in gate.annotators if a.reason and a.annotator != username}
    reasons = []
    for r in gate.reasons:
        if r in others_reasons or any(r.startswith(f"{n}:") for n in names):
            continue
        reasons.append(_scrub(r, names))
    return replace(
        gate,
        annotators=tuple(a for a in gate.annotators if a.annotator == username),
        questions=tuple(replace(q, deviating=tuple(d for d in q.deviating if d == username), explanation="",
                                reason=_scrub(q.reason, names)) for q in gate.questions),
        reasons=tuple(reasons),
    )


def redact_overview(views: list, username: str) -> list:
    """What an annotator may see of the overview: no other person's name or figure."""
    return [replace(v, gate=redact_gate(v.gate, username),
                    alarms=v.alarms[v.alarms["annotator"] == username].reset_index(drop=True)) for v in views]


def redact_calibration(view, username: str):
    """An annotator's view of a round: team figures, their own row, nobody else's figures or name,
    nor how many others the diagnosis or the gate single out."""
    questions = []
    for qv in view.questions:
        rep = qv.report
        if rep is not None:
            diag = rep.diagnosis
            flagged_self = username in diag.deviating
            text = f"Verdict: {diag.verdict.title}."
            if flagged_self:  # (how many others it flags is theirs to know, not hers)
                text += " You are among the annotators it flags as deviating from the team."
            if diag.ambiguous_items and diag.verdict.value == "undetermined":
                text += (f" {len(diag.ambiguous_items)} item(s) are disputed in a way the data cannot attribute to the "
                         "guideline or to one reading of it; gold or another annotator on them would settle it.")
            elif diag.ambiguous_items:
                text += f" {len(diag.ambiguous_items)} item(s) split the team beyond what annotator noise explains."
            diag = replace(diag, explanation=text, deviating=tuple(d for d in diag.deviating if d == username),
                           evidence={k: v for k, v in diag.evidence.items() if k in ("disputed_items", "confused_pairs")})
            ann = rep.annotators[rep.annotators["annotator"] == username].reset_index(drop=True)
            rep = replace(rep, annotators=ann, pairwise=None, raters={}, rater_alpha={}, diagnosis=diag,
                          gold_confusion=None)
        questions.append(replace(qv, report=rep))
    return replace(view, questions=questions, gate=redact_gate(view.gate, username), annotators=(),
                   redacted_for=username)
