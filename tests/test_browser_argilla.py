"""An annotator signs in to the real Argilla web UI (headless Chromium) and submits a response.

Set-up goes through the SDK as the owner; the check goes back through the REST API: the response
the UI posted is stored under the annotator's user id with the values that were clicked, and the
UI moved on to a record that is still pending for that annotator.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile

import pytest

from argilla_helpers import (
    annotator_session, create_annotator, login, pending_queue, record_responses, response_payload,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
UI_TIMEOUT_MS = 30_000

pytestmark = [pytest.mark.argilla, pytest.mark.browser]

TEXTS = [
    "The hotel room was spotless and the staff were kind.",
    "My order arrived two weeks late and the box was crushed.",
    "The museum opens at nine on weekdays.",
    "Battery life on this phone is outstanding.",
    "The soup was cold and far too salty.",
]
LABELS = ["positive", "negative", "neutral"]


@pytest.fixture()
def browser_page():
    """A Playwright page in a fresh headless Debian Chromium profile."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing or not executable: the browser tests drive Debian's chromium "
            "(apt-get install chromium); `playwright install` browsers are not used here"
        )
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="wb-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                viewport={"width": 1280, "height": 900},
            )
            context.set_default_timeout(UI_TIMEOUT_MS)
            try:
                yield context.pages[0] if context.pages else context.new_page()
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def annotation_setup(argilla_server, client, unique_name):
    import argilla as rg

    workspace = rg.Workspace(name=f"ws-{unique_name}", client=client).create()
    user, password = create_annotator(client, f"ann-{unique_name}", workspace)
    settings = rg.Settings(
        fields=[rg.TextField(name="text")],
        questions=[
            rg.LabelQuestion(name="sentiment", labels=LABELS),
            rg.RatingQuestion(name="quality", values=[1, 2, 3, 4, 5]),
        ],
        distribution=rg.TaskDistribution(min_submitted=1),
    )
    dataset = rg.Dataset(name=f"ds-{unique_name}", workspace=workspace, settings=settings, client=client).create()
    dataset.records.log([{"text": text, "id": f"rec-{i}"} for i, text in enumerate(TEXTS)])
    return dataset, user, password


def test_annotator_submits_a_response_in_the_web_ui(argilla_server, annotation_setup, browser_page, artifacts_dir):
    from playwright.sync_api import expect

    dataset, user, password = annotation_setup
    api = argilla_server.api_url
    page = browser_page

    # What the annotator's queue holds, asked of the API the way the UI asks it.
    token = login(api, user.username, password)
    ann = annotator_session(token)
    resp, queue, total = pending_queue(ann, api, str(dataset.id))
    assert resp.status_code == 200, resp.text
    assert total == len(TEXTS), f"annotator's pending queue has {total} records, expected {len(TEXTS)}"
    first = queue[0]

    failed_api_calls: list[str] = []
    page.on(
        "response",
        lambda r: r.url.startswith(f"{api}/api/") and r.status >= 400
        and failed_api_calls.append(f"{r.request.method} {r.url} -> {r.status}"),
    )

    # Sign in as the annotator.
    page.goto(f"{api}/sign-in")
    page.fill("input[name=Username]", user.username)
    page.fill("input[name=Password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/sign-in" not in url)

    # Open the dataset from the home page.
    page.get_by_text(dataset.name, exact=True).first.click()
    page.wait_for_url(f"**/dataset/{dataset.id}/annotation-mode**")
    record_view = page.locator(".record__content")
    expect(record_view).to_contain_text(first["fields"]["text"])
    # Pending count ("1 of 5") and the annotator's progress (0 submitted, 0.00%).
    expect(page.locator(".pagination__info")).to_have_text(re.compile(rf"^\s*1\s+of\s+{len(TEXTS)}\s*$"))
    progress = page.locator(".annotation-progress")
    expect(progress).to_contain_text("0.00%")
    expect(progress.locator(".status-counter__counter")).to_have_text("0")

    # Answer both questions by clicking, then submit.
    chosen = {"sentiment": "negative", "quality": 4}
    page.click(f"label[for=sentiment_{chosen['sentiment']}]")
    page.click(f"label[for=quality_{chosen['quality']}]")
    expect(page.locator(f"#sentiment_{chosen['sentiment']}")).to_be_checked()
    expect(page.locator(f"#quality_{chosen['quality']}")).to_be_checked()
    submit = page.locator("button.button--submit")
    expect(submit).to_be_enabled()
    with page.expect_response(
        lambda r: r.url == f"{api}/api/v1/records/{first['id']}/responses" and r.request.method == "POST"
    ) as posted:
        submit.click()
    assert posted.value.status == 201, f"UI's submit got HTTP {posted.value.status}: {posted.value.text()}"
    # The UI posts exactly the payload our REST helpers send for annotators in the load tests.
    assert json.loads(posted.value.request.post_data) == response_payload(chosen)

    # The UI moves on: another record, the progress counts the submission.
    expect(record_view).not_to_contain_text(first["fields"]["text"])
    expect(progress.locator(".status-counter__counter")).to_have_text("1")
    expect(progress).to_contain_text(f"{100 / len(TEXTS):.2f}%")
    page.screenshot(path=str(artifacts_dir / "argilla-annotator-submit.png"))

    # Through the API: the response exists, under the annotator, with the clicked values.
    responses = record_responses(api, argilla_server.api_key, first["id"])
    assert len(responses) == 1, responses
    stored = responses[0]
    assert stored["user_id"] == str(user.id)
    assert stored["status"] == "submitted"
    assert stored["values"] == {name: {"value": value} for name, value in chosen.items()}

    # ... and the record the UI now shows is still pending for the annotator.
    resp, queue_after, total_after = pending_queue(ann, api, str(dataset.id))
    assert resp.status_code == 200, resp.text
    assert total_after == len(TEXTS) - 1
    pending_texts = {r["fields"]["text"] for r in queue_after}
    assert first["fields"]["text"] not in pending_texts
    shown = record_view.inner_text()
    assert any(text in shown for text in pending_texts), f"UI shows {shown!r}, not a pending record"
    assert failed_api_calls == [], f"the UI got API errors: {failed_api_calls}"
