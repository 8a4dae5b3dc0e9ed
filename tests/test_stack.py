"""The production topology as processes (`make stack`): PostgreSQL, the gRPC code server, the webserver,
the daemon with a run queue, and a static server for the outputs, driven the way an operator drives it."""

import json
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from html import unescape
from pathlib import Path

import pytest
import requests

from jippnas_orchestration.testing import stack as stack_module
from jippnas_orchestration.testing.stack import LOCATION, REPOSITORY, start_stack
from jippnas_orchestration.warehouse import Warehouse

BIN = Path(sys.executable).parent
SENSOR_INTERVAL_S = 2
pytestmark = [pytest.mark.daemon, pytest.mark.postgres]

META = """fragment Meta on MetadataEntry { label description
  ... on TextMetadataEntry { text } ... on UrlMetadataEntry { url } ... on PathMetadataEntry { path }
  ... on JsonMetadataEntry { jsonString } ... on MarkdownMetadataEntry { mdStr }
  ... on IntMetadataEntry { intRepr } ... on FloatMetadataEntry { floatRepr } }"""
ERROR = "fragment Err on PythonError { message stack causes { message stack } }"
ASSET_GRAPH = (
    META
    + """
{ assetNodes { assetKey { path } groupName description jobNames metadataEntries { ...Meta }
    assetMaterializations(limit: 10) { runId metadataEntries { ...Meta } } } }"""
)
RUNS = "{ runsOrError { ... on Runs { results { runId jobName status runConfigYaml tags { key value } } } } }"
EVENTS = (
    META
    + ERROR
    + """
query Events($runId: ID!) { logsForRun(runId: $runId) { __typename ... on EventConnection { events { __typename
  ... on MessageEvent { message stepKey }
  ... on MaterializationEvent { assetKey { path } metadataEntries { ...Meta } }
  ... on AssetCheckEvaluationEvent { evaluation { checkName success metadataEntries { ...Meta } } }
  ... on ExecutionStepFailureEvent { error { ...Err } }
  ... on EngineEvent { error { ...Err } metadataEntries { ...Meta } }
  ... on RunFailureEvent { error { ...Err } } } } } }"""
)
RESOURCES = """{ allTopLevelResourceDetailsOrError(repositorySelector: {repositoryLocationName: "%s",
  repositoryName: "%s"}) { ... on ResourceDetailsList { results { name description
  configFields { name description } configuredValues { key value type } } } } instance { info } }""" % (
    LOCATION,
    REPOSITORY,
)
TICKS = (
    ERROR
    + """
query Ticks($name: String!) { sensorOrError(sensorSelector: {repositoryLocationName: "%s", repositoryName: "%s",
  sensorName: $name}) { ... on Sensor { sensorState { status ticks(limit: 100) { status runIds skipReason
  error { ...Err } } } } } }"""
    % (LOCATION, REPOSITORY)
)
CHECK = (
    META
    + """
{ assetCheckExecutions(assetKey: {path: ["portal_candidate"]}, checkName: "portal_candidate_gate", limit: 1) {
    runId status evaluation { success metadataEntries { ...Meta } } } }"""
)
LATEST = (
    META
    + """
query Latest($path: [String!]!) { assetOrError(assetKey: {path: $path}) { ... on Asset {
  assetMaterializations(limit: 1) { runId metadataEntries { ...Meta } } } } }"""
)


@pytest.fixture(scope="module")
def stack(pg_server, tmp_path_factory):
    # another process binds the port chosen for the webserver before the webserver does (as when
    # test sessions run side by side): the stack must choose again rather than fail
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    chosen = []

    def free_port():  # the second port chosen is the webserver's (code, webserver, static)
        chosen.append(squatter.getsockname()[1] if len(chosen) == 1 else real_free_port())
        return chosen[-1]

    real_free_port = stack_module.free_port
    mp = pytest.MonkeyPatch()
    mp.setattr(stack_module, "free_port", free_port)
    try:
        s = start_stack(
            tmp_path_factory.mktemp("stack"), sensor_interval_s=SENSOR_INTERVAL_S, pg=pg_server
        )
    finally:
        mp.undo()
        squatter.close()
    s.squatted_port = chosen[1]
    yield s
    s.stop()


def test_a_webserver_port_taken_meanwhile_is_chosen_again(stack):
    assert stack.ports["webserver"] != stack.squatted_port
    assert "address already in use" in stack.log("webserver", 10**9)
    assert requests.get(f"{stack.webserver_url}/server_info", timeout=10).ok


def _meta(entries) -> dict:
    return {
        e["label"]: next(
            (
                e[k]
                for k in ("url", "text", "path", "jsonString", "mdStr", "intRepr", "floatRepr")
                if e.get(k) is not None
            ),
            None,
        )
        for e in entries
    }


def _events(stack, run_id) -> list[dict]:
    return stack.graphql(EVENTS, {"runId": run_id})["logsForRun"]["events"]


def _failure_text(stack, run_id) -> str:
    return json.dumps([e for e in _events(stack, run_id) if e.get("error")], indent=1)[-4000:]


def test_refresh_all_from_the_ui_is_queued_runs_and_publishes(stack):
    run_id = stack.launch("refresh_all_job")
    assert stack.run(run_id)["status"] in ("QUEUED", "STARTING", "STARTED", "SUCCESS")
    run = stack.wait_run(run_id)
    assert run["status"] == "SUCCESS", _failure_text(stack, run_id) + stack.log("code-server")
    kinds = [e["__typename"] for e in _events(stack, run_id)]
    assert (
        kinds.index("RunEnqueuedEvent")
        < kinds.index("RunStartingEvent")
        < kinds.index("RunSuccessEvent")
    )

    # the portal was published: files, table and the asset's links agree
    manifest = json.loads((stack.output_dir / "portal" / "manifest.json").read_text())
    published = (
        Warehouse(stack.warehouse_url)
        .read_sql("SELECT COUNT(*) AS n FROM portal_innovations")
        .iloc[0, 0]
    )
    assert manifest["row_count"] == published > 0
    latest = stack.graphql(LATEST, {"path": ["portal_innovations"]})["assetOrError"][
        "assetMaterializations"
    ][0]
    assert latest["runId"] == run_id
    links = _meta(latest["metadataEntries"])
    assert links["manifest"] == f"{stack.static_url}/portal/manifest.json"
    assert requests.get(links["manifest"], timeout=10).json() == manifest

    # the report and Data Docs open over HTTP from the links the UI shows
    report = _meta(
        stack.graphql(LATEST, {"path": ["data_quality_report"]})["assetOrError"][
            "assetMaterializations"
        ][0]["metadataEntries"]
    )
    assert report["report"] == f"{stack.static_url}/reports/index.html"
    page = requests.get(report["report"], timeout=10)
    assert page.status_code == 200
    assert page.content == (stack.output_dir / "reports" / "index.html").read_bytes()
    assert 'id="headline"' in page.text and "Gerbang mutu LULUS" in page.text
    docs = requests.get(report["data_docs"], timeout=10)
    assert docs.status_code == 200 and "<html" in docs.text.lower()
    gate_pages = re.findall(r'<a class="data-docs" data-suite="[^"]+" href="([^"]+)"', page.text)
    assert len(gate_pages) == 2
    for href in gate_pages:
        assert href.startswith(f"{stack.static_url}/data_docs/validations/")
        assert requests.get(unescape(href), timeout=10).status_code == 200


def test_the_run_queue_limit_holds_the_second_run_back(stack):
    queue = stack.graphql(
        "{ instance { runQueuingSupported runQueueConfig { maxConcurrentRuns } } }"
    )["instance"]
    assert queue == {"runQueuingSupported": True, "runQueueConfig": {"maxConcurrentRuns": 1}}
    first, second = stack.launch("report_job"), stack.launch("report_job")
    runs = [stack.wait_run(first), stack.wait_run(second)]
    assert [r["status"] for r in runs] == ["SUCCESS", "SUCCESS"]
    runs.sort(key=lambda r: r["startTime"])
    # both were queued at once; with max_concurrent_runs 1 the later one started only after the other ended
    assert max(r["creationTime"] for r in runs) < runs[0]["endTime"]
    assert runs[1]["startTime"] >= runs[0]["endTime"]


def test_a_jippnas_submit_is_applied_by_the_submission_sensor(stack, tmp_path):
    wh = Warehouse(stack.warehouse_url)
    target = wh.read_sql(
        "SELECT m.source_record_id, h.agency_id, h.innovation_id FROM innovation_source_map m "
        "JOIN harmonized_innovations h USING (innovation_id) WHERE m.source = 'KIPP' "
        "ORDER BY m.source_record_id LIMIT 1"
    ).iloc[0]
    marker = f"hasil uji stack {uuid.uuid4().hex[:8]}"
    doc = {
        "submission_id": str(uuid.uuid4()),
        "innovation": {"source": "KIPP", "source_record_id": target["source_record_id"]},
        "agency_id": target["agency_id"],
        "submitted_by": {"name": "Uji", "email": "uji@example.go.id"},
        "submitted_at": datetime.now(timezone.utc).isoformat(),
        "changes": {"status": "berlanjut_dengan_pengembangan", "outcomes": marker},
    }
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(doc))
    out = subprocess.run(
        [str(BIN / "jippnas"), "submit", str(path)],
        capture_output=True,
        text=True,
        env={**stack.code_env},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    submitted = time.time()

    deadline = time.monotonic() + 300
    sensor_runs = []
    while time.monotonic() < deadline and not sensor_runs:
        stack.check()
        ticks = stack.graphql(TICKS, {"name": "submission_sensor"})["sensorOrError"]["sensorState"][
            "ticks"
        ]
        sensor_runs = [r for t in ticks if t["status"] == "SUCCESS" for r in t["runIds"]]
        time.sleep(0.5)
    assert len(sensor_runs) == 1, "the submission sensor requested no run"
    run = stack.wait_run(sensor_runs[0])
    assert run["status"] == "SUCCESS", _failure_text(stack, sensor_runs[0])
    assert run["jobName"] == "submission_job"
    assert {"key": "dagster/sensor_name", "value": "submission_sensor"} in run["tags"]
    print(
        f"run requested {run['creationTime'] - submitted:.1f} s after the submission "
        f"(sensor interval {SENSOR_INTERVAL_S} s)"
    )
    row = wh.read_sql(
        "SELECT outcomes, status FROM harmonized_innovations WHERE innovation_id = :i",
        {"i": target["innovation_id"]},
    ).iloc[0]
    assert (row["outcomes"], row["status"]) == (marker, "berlanjut_dengan_pengembangan")
    state = wh.read_sql(
        "SELECT state FROM innovation_submissions WHERE submission_id = :s",
        {"s": doc["submission_id"]},
    ).iloc[0, 0]
    assert state == "accepted"


def test_a_failing_gate_blocks_publication_and_the_report_says_so(stack):
    wh = Warehouse(stack.warehouse_url)
    before = (stack.output_dir / "portal" / "manifest.json").read_bytes()
    bad = wh.read_sql(
        "SELECT innovation_id FROM harmonized_innovations ORDER BY innovation_id LIMIT 3"
    )
    wh.execute(
        "UPDATE harmonized_innovations SET year_first = 1800 WHERE innovation_id IN (:a, :b, :c)",
        dict(zip("abc", bad["innovation_id"])),
    )
    # the UI's "Materialize selected" on portal_candidate and portal_innovations, checks included
    run_id = stack.launch(
        "__ASSET_JOB",
        assets=["portal_candidate", "portal_innovations"],
        checks=[("portal_candidate", "portal_candidate_gate")],
    )
    assert stack.wait_run(run_id)["status"] == "FAILURE"
    execution = stack.graphql(CHECK)["assetCheckExecutions"][0]
    assert (execution["runId"], execution["status"], execution["evaluation"]["success"]) == (
        run_id,
        "FAILED",
        False,
    )
    failures = _meta(execution["evaluation"]["metadataEntries"])["failures"]
    year_row = next(
        line
        for line in failures.splitlines()
        if "expect_column_values_to_be_between | year_first" in line
    )
    assert year_row.split("|")[3].strip() == "3"
    assert (stack.output_dir / "portal" / "manifest.json").read_bytes() == before

    # report_after_failure_sensor rebuilds the report so the failure is visible
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        stack.check()
        runs = stack.graphql(RUNS)["runsOrError"]["results"]
        after = [
            r
            for r in runs
            if {"key": "dagster/sensor_name", "value": "report_after_failure_sensor"} in r["tags"]
        ]
        if after and after[0]["status"] in ("SUCCESS", "FAILURE"):
            break
        time.sleep(1)
    assert after and after[0]["status"] == "SUCCESS"
    page = requests.get(f"{stack.static_url}/reports/index.html", timeout=10).text
    assert "Gerbang mutu GAGAL" in page


@pytest.mark.browser
def test_the_operator_view_in_a_real_browser(stack, artifacts_dir):
    from playwright.sync_api import sync_playwright

    from jippnas_orchestration.testing.browser import chromium_path

    shots = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})

        def visit(path: str, *texts: str) -> str:
            page.goto(stack.webserver_url + path)
            for text in texts:
                page.get_by_text(text, exact=False).first.wait_for(timeout=60_000)
            return page.inner_text("body")

        body = visit("/asset-groups", "Global asset lineage", "harmonization")
        assert {"sources", "harmonization", "updates", "metrics", "publication", "reports"} <= set(
            body.split()
        )
        # the group graph as an operator first sees it (expanded, the graph draws only the nodes in
        # view and drops their labels when zoomed out to fit every group: the catalog below lists
        # every asset instead)
        page.get_by_text("publication").first.wait_for(timeout=30_000)
        page.wait_for_timeout(4000)  # the nodes' materialization status loads after the layout
        page.screenshot(path=artifacts_dir / "ui-asset-graph.png")
        shots["graph"] = artifacts_dir / "ui-asset-graph.png"
        # the catalog lists every asset (a virtualized list: tall enough to hold them all)
        page.set_viewport_size({"width": 1440, "height": 2600})
        body = visit("/assets", "portal_innovations")
        page.set_viewport_size({"width": 1440, "height": 900})
        assert {"raw_kipp", "innovation_change_log", "portal_candidate", "match_review"} <= set(
            body.split()
        )

        visit("/assets/portal_candidate?view=checks", "portal_candidate_gate", "Failed")
        page.get_by_text("Show Markdown").first.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("expect_column_values_to_be_between").first.wait_for(timeout=30_000)
        assert "year_first" in dialog.inner_text()
        page.screenshot(path=artifacts_dir / "ui-failed-gate.png")
        shots["gate"] = artifacts_dir / "ui-failed-gate.png"
        page.keyboard.press("Escape")

        body = visit(
            "/locations/jippnas/sensors/submission_sensor", "submission_sensor", "All ticks"
        )
        assert "Running" in body and "submission_job" in body
        page.get_by_text("All ticks").first.click()
        page.get_by_text("Requested", exact=True).last.click()  # the ticks that requested a run
        page.keyboard.press("Escape")
        page.get_by_role("cell", name="1 run requested").first.wait_for(timeout=30_000)
        page.screenshot(path=artifacts_dir / "ui-submission-sensor.png")
        shots["sensor"] = artifacts_dir / "ui-submission-sensor.png"

        body = visit(
            "/locations/jippnas/schedules/daily_refresh_schedule",
            "daily_refresh_schedule",
            "Asia/Jakarta",
        )
        assert "Running" in body and "refresh_all_job" in body
        page.screenshot(path=artifacts_dir / "ui-schedule.png")
        shots["schedule"] = artifacts_dir / "ui-schedule.png"
        browser.close()
    for shot in shots.values():
        assert shot.stat().st_size > 20_000


def test_no_secret_reaches_the_ui(stack):
    """The PostgreSQL passwords (warehouse URL, Dagster storage) appear in no GraphQL answer: the asset graph,
    resources, instance, run configs, event logs, sensor ticks; nor in the captured run logs."""
    runs = stack.graphql(RUNS)["runsOrError"]["results"]
    assert len(runs) >= 5
    answers = [stack.graphql(ASSET_GRAPH), stack.graphql(RESOURCES), runs, stack.graphql(CHECK)]
    answers += [_events(stack, r["runId"]) for r in runs]
    answers += [
        stack.graphql(TICKS, {"name": name})
        for name in ("submission_sensor", "report_after_failure_sensor")
    ]
    text = json.dumps(answers)
    assert len(text) > 100_000  # the answers are not empty
    for secret in stack.secrets:
        assert secret not in text
    for path in Path(stack.env["DAGSTER_HOME"]).rglob("*"):
        if path.is_file():
            content = path.read_text(errors="replace")
            assert not any(secret in content for secret in stack.secrets), path
    # what the UI shows instead: the variable each value comes from
    resources = {
        r["name"]: {v["key"]: (v["type"], v["value"]) for v in r["configuredValues"]}
        for r in answers[1]["allTopLevelResourceDetailsOrError"]["results"]
    }
    assert resources["warehouse"]["url"] == ("ENV_VAR", "JIPPNAS_WAREHOUSE_URL")
    assert resources["output"]["output_dir"] == ("ENV_VAR", "JIPPNAS_OUTPUT_DIR")
