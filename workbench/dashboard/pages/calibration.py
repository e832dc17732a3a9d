"""Calibration round: per question alpha with its interval against the thresholds, the other
coefficients, the annotator-pair heatmap, label confusion, the diagnosis and the items behind it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.dashboard import access, cache, charts, ui, views
from workbench.errors import BadInput


#: The annotators table's column names as shown: ``robust_z`` of the report is the robust z-score of
#: each annotator's relative disagreement among the round's annotators, not the diagnosis's z (the
#: error-rate gap of the latent-class model, shown in the diagnosis's own table); it gets its own name.
ANNOTATOR_COLUMNS = {"robust_z": "disagreement_robust_z"}

#: The diagnosis's per-annotator evidence shown under its explanation (the figures the text quotes).
EVIDENCE_COLUMNS = ("annotator", "error_rate", "team_error_rate", "error_ratio", "error_gap", "z", "alpha_without",
                    "gold_accuracy")


def _round_label(view) -> str:
    return views.rounds_label([view.round["round"]])


def _summary(view) -> pd.DataFrame:
    rows = []
    where = _round_label(view)
    for qv in view.questions:
        rep = qv.report
        a = rep.alpha if rep is not None else None
        n_items = rep.n_pairable_items if rep is not None else 0
        rows.append({
            "question": qv.name, "level": qv.level,
            f"alpha ({views.ALPHA_CI:.0%} CI)": ui.alpha_text(a.value, a.low, a.high) if a else "n/a",
            "alpha": a.value if a else None, "low": a.low if a else None, "high": a.high if a else None,
            "band": rep.band if rep is not None else "undefined",
            "alpha_reliable": qv.alpha_reliable, "alpha_tentative": qv.alpha_tentative,
            "items": n_items, "sample": ui.sample_text(n_items, where),
            "annotators": rep.n_annotators if rep is not None else 0,
            "verdict": rep.diagnosis.verdict.title if rep is not None else qv.error,
        })
    return pd.DataFrame(rows)


def render(ctx: ui.Context) -> None:
    st.title("Calibration round")
    task, round_no = ui.select_round(ctx)
    if task is None:
        return
    try:
        view = cache.cached_calibration(*ctx.key, task, int(round_no))
    except BadInput as exc:
        ui.empty(ui.esc(exc), "add the task's YAML file under tasks/ (the task name must match the store's).")
        return
    lead = ctx.user.is_lead
    if not lead:
        view = access.redact_calibration(view, ctx.user.username)
    r = view.round
    n_ann = view.questions[0].report.n_annotators if view.questions and view.questions[0].report else 0
    st.markdown(
        f"**{ui.esc(r['dataset'])}** - {ui.esc(r['kind'])} round {r['round']} of {ui.code(task)}, guideline "
        + ", ".join(f"v{v}" for v in view.guideline_versions) + f": {view.n_responses} responses on "
        f"{view.n_items} items" + (f" by {len(view.annotators)} annotators" if lead else "") + ".")
    if view.n_responses == 0:
        ui.empty("No submitted response in this round yet.",
                 "annotators answer the round in Argilla; then run `workbench sync`.")
        return
    if view.gate is not None:
        g = view.gate
        if g.passed:
            st.success("Gate PASSED: every question is reliable and every annotator clears the gold bar.")
        else:
            st.error("Gate FAILED" + (":\n\n" + "\n".join(f"- {ui.esc(x)}" for x in g.reasons) if g.reasons else "."))
        if not lead:
            st.caption("You see the gate's team-level checks and your own agreement with gold; each person's "
                       "checks are for the annotation leads.")
    summary = _summary(view)
    ok = summary.dropna(subset=["alpha"])
    if len(ok):
        ui.figure(charts.alpha_intervals(ok), int(ok["items"].max()), int(ok["annotators"].max()),
                  f"each question's interval is a {views.ALPHA_N_BOOT:,}-resample bootstrap over items (seed "
                  f"{views.ALPHA_SEED}, the same as the Guidelines page's)", key="alpha-intervals",
                  rounds=_round_label(view))
    shown = summary.copy()
    shown["band"] = shown["band"].str.upper()
    ui.table(shown, f"{task}-r{round_no}-questions",
             caption="Band: reliable at or above alpha_reliable, tentative at or above alpha_tentative, "
                     "else unreliable (Krippendorff 2004); thresholds from the task's calibration policy.",
             column_config=ui.number_columns(ui.ALPHA_COLUMNS))
    names = [qv.name for qv in view.questions]
    if names:
        chosen = ui.qp_select("Details for question", names, "question")
        _question(ctx, view, next(qv for qv in view.questions if qv.name == chosen), lead, n_ann)


def _question(ctx: ui.Context, view, qv, lead: bool, n_ann: int) -> None:
    st.header(ui.esc(qv.name))
    st.caption(ui.esc(qv.title))
    rep = qv.report
    if rep is None:
        st.warning(f"No agreement figures for {ui.esc(qv.name)}: {ui.esc(qv.error)}")
        return
    a = rep.alpha
    where = _round_label(view)
    ci = f" ({ui.ci_text(a.low, a.high)})" if a.low is not None else ""
    st.markdown(f"{ui.band_text(rep.band)} - {a.label} = **{ui.fmt(a.value)}**{ci}; needs "
                f"{qv.alpha_reliable:.3f} to be reliable, {qv.alpha_tentative:.3f} to be tentative. "
                + ui.basis(rep.n_pairable_items, rep.n_annotators, rounds=where))
    if a.note:
        st.caption(ui.esc(a.note))
    coefs = pd.DataFrame([{"coefficient": c.label, "value": c.value, "note": c.note} for c in rep.coefficients])
    ui.table(coefs, f"{view.task}-r{view.round['round']}-{qv.name}-coefficients")

    d = rep.diagnosis
    st.subheader("Diagnosis")
    st.markdown(f"**{d.verdict.title}**")  # (a fixed title of the analytics' verdict)
    st.markdown(ui.esc(d.explanation))
    if lead and d.deviating:
        st.markdown("Annotators behind it: " + ", ".join(f"**{ui.esc(x)}**" for x in d.deviating))
    evidence = d.evidence.get("annotators") if lead else None
    if evidence is not None and len(evidence) and "z" in evidence.columns:
        ev = evidence[[c for c in EVIDENCE_COLUMNS if c in evidence.columns]].copy()
        ui.table(ev, f"{view.task}-r{view.round['round']}-{qv.name}-diagnosis-annotators",
                 caption="The diagnosis's figures per annotator, as its text quotes them: error_rate, the share of "
                         "items where the latent-class model finds the annotator's value wrong (team_error_rate: "
                         "the others'); z, the gap between the two over its standard error when the items are "
                         "resampled. (Not the annotators table's disagreement_robust_z, another statistic.)",
                 column_config={**ui.number_columns(["error_rate", "team_error_rate", "error_gap", "alpha_without",
                                                     "gold_accuracy"], 2),
                                **ui.number_columns(["error_ratio", "z"], 1)})
    if d.confused_labels:
        st.markdown("Label pairs behind it: "
                    + ", ".join(f"{ui.code(x)} vs {ui.code(y)}" for x, y in d.confused_labels))
    ds_id = view.round.get("dataset_id")
    if d.ambiguous_items:
        items = list(d.ambiguous_items)
        # the labels of the diagnosis's own items table (every item it lists), else of the most disputed
        listed = d.evidence.get("disputed_items")
        if listed is None or "labels" not in getattr(listed, "columns", ()):
            listed = rep.disputed_items
        labels = dict(zip(listed["item"], listed["labels"])) if len(listed) else {}
        for i, lab in zip(rep.disputed_items["item"], rep.disputed_items.get("labels", [])):
            labels.setdefault(i, lab)
        t = pd.DataFrame({"item": items})
        if labels:
            t["labels given"] = [labels.get(i, "") for i in items]
        if "p_open" in getattr(listed, "columns", ()):
            p_open = dict(zip(listed["item"], listed["p_open"]))
            t["probability open"] = [p_open.get(i) for i in items]
        t["open in Argilla"] = ui.record_links(ctx, ds_id, items, view.record_ids)
        st.markdown("Items that gold or another annotator would settle:" if d.verdict.value == "undetermined" else
                    "Items behind it (the likeliest open items by the diagnosis's model, most likely first):")
        ui.table(t, f"{view.task}-r{view.round['round']}-{qv.name}-diagnosis-items",
                 caption="An item is open when its answers look like each annotator picking one of the contested "
                         "labels at random; an item where everyone happened to pick the same one can still be likely "
                         "open.",
                 column_config={"open in Argilla": ui.LINK_COLUMN, **ui.number_columns(["probability open"], 2)})

    cols = st.columns(2)
    with cols[0]:
        if lead and rep.pairwise is not None:
            ui.figure(charts.pair_heatmap(rep.pairwise.kappa, rep.pairwise.n_common,
                                          f"{qv.name}: {rep.pairwise.kappa_label} per annotator pair"),
                      rep.n_pairable_items, rep.n_annotators, key=f"pairs-{qv.name}", rounds=where)
        elif rep.gold_confusion is not None and rep.gold_confusion.to_numpy().sum() > 0:
            ui.figure(charts.count_heatmap(rep.gold_confusion, f"{qv.name}: answers vs gold", "given", "gold"),
                      int(qv.n_gold), rep.n_annotators, key=f"gold-{qv.name}", rounds=where, unit="gold item")
    with cols[1]:
        if len(rep.confused_pairs):
            m = charts.confused_pairs_matrix(rep.confused_pairs, [str(c) for c in rep.categories][:12])
            ui.figure(charts.count_heatmap(m, f"{qv.name}: label confusion across annotators "
                                              "(annotator pairs split between two labels)", "label", "label"),
                      rep.n_pairable_items, rep.n_annotators, key=f"confusion-{qv.name}", rounds=where)
        else:
            st.caption("No two annotators split between labels on this question.")
    if lead and rep.gold_confusion is not None and rep.gold_confusion.to_numpy().sum() > 0:
        ui.figure(charts.count_heatmap(rep.gold_confusion, f"{qv.name}: answers vs the expert's gold (all annotators)",
                                       "given", "gold"), int(qv.n_gold), rep.n_annotators, key=f"goldl-{qv.name}",
                  rounds=where, unit="gold item")

    st.subheader("Annotators" if lead else "Your figures")
    ann = rep.annotators.rename(columns=ANNOTATOR_COLUMNS)
    if len(ann):
        ui.table(ann, f"{view.task}-r{view.round['round']}-{qv.name}-annotators",
                 caption="relative_disagreement: mean distance to the others' values of the same items, in units of "
                         "the expected disagreement; disagreement_robust_z: how far it lies from the other "
                         "annotators' (robust z-score: median and MAD among this round's annotators, large whenever "
                         "the others agree closely; not the diagnosis's z); alpha_without: alpha with this annotator "
                         "left out.")
    st.subheader("Most disputed items")
    disputed = rep.disputed_items
    if len(disputed) and "disagreeing_pairs" in disputed.columns:
        disputed = disputed[disputed["disagreeing_pairs"] > 0]  # (never a unanimous item)
    if len(disputed):
        t = disputed.drop(columns=["position"], errors="ignore").copy()
        t["open in Argilla"] = ui.record_links(ctx, ds_id, list(t["item"]), view.record_ids)
        ui.table(t, f"{view.task}-r{view.round['round']}-{qv.name}-disputed",
                 column_config={"open in Argilla": ui.LINK_COLUMN})
        st.caption(f"The {ui.plural(len(t), 'item')} of {where} with the most disagreement (out of "
                   f"{rep.n_pairable_items}); an item where every annotator gave the same value is never listed.")
    else:
        st.caption(f"No disputed item: the annotators gave the same value on every item of {where}.")
