"""The expected answers of the permission matrix, one row per API endpoint, page and admin page.

Each row gives the HTTP answer for every actor, in the order of ``ACTORS``::

    anonymous  owner  other_citizen  reception  specialist  leader  other_officer  agency_admin
    city_admin  clerk

(``reception``, ``specialist``, ``leader``, ``agency_admin`` and ``clerk`` belong to the agency
that holds the owner's dossiers; ``other_officer`` is a one-stop officer of another agency.)
Tokens: an HTTP status (``200``, ``404`` ...), ``login`` (redirect to the sign-in page) or ``302``
(another redirect). A new endpoint or page without a row here fails
``test_every_endpoint_and_page_has_a_row``: add it, with the answer each actor must get.

Placeholders in paths take the scene's values (``tests.factories_security.build_scene``); ``fill``
maps a placeholder to another value. POST rows act on the dossier waiting for reception unless
``fill`` says otherwise; every cell runs in its own savepoint, so one actor's action never changes
what the next actor finds.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    expect: str  # ten tokens, one per actor
    fill: dict = field(default_factory=dict)  # placeholder -> scene param key
    json: dict | None = None  # JSON body (POST)
    data: dict | None = None  # form / multipart body (POST); "@pdf" is replaced by a small PDF file
    query: dict | None = None
    note: str = ""  # why the row is what it is, when it is not obvious


# Shorthands for rows that repeat.
PUBLIC = "200 200 200 200 200 200 200 200 200 200"
SIGNED_IN = "401 200 200 200 200 200 200 200 200 200"
# A dossier of the owning agency: its officers, the owner and the city admin see it.
DOSSIER_READ = "401 200 404 200 200 200 404 200 200 404"

W = "waiting_code"  # the owner's dossier waiting for reception
D = "code"  # the owner's returned dossier with a signed result

NOBODY_SIGNED_IN = "401 404 404 404 404 404 404 404 404 404"
OWNER_ONLY = "401 200 404 404 404 404 404 404 404 404"
KPI_VIEW = "401 403 403 403 403 200 403 200 200 403"  # leader, agency admin, city admin of the unit
CITY_ONLY = "401 403 403 403 403 403 403 403 200 403"
SIGNED_IN_PAGE = "login 200 200 200 200 200 200 200 200 200"
OWNER_PAGE = "login 200 404 404 404 404 404 404 404 404"
DOSSIER_PAGE = "login 200 404 200 200 200 404 200 200 404"
# Files also open with the code and the secret (QR code), so without them anonymous gets 404.
DOSSIER_FILE = "404 200 404 200 200 200 404 200 200 404"
NOBODY_PAGE = "login 404 404 404 404 404 404 404 404 404"
KPI_PAGE = "login 404 404 404 404 200 404 200 200 404"  # kpi.view: leader, agency admin (their unit)
CITY_PAGE = "login 404 404 404 404 404 404 404 200 404"
# Tasks: the lead agency's specialist and leader, its agency admin and clerk (task.view), the city admin.
TASK_READ = "401 404 404 404 200 200 404 200 200 200"
TASK_PAGE = "login 404 404 404 200 200 404 200 200 200"
OFFICIALS_PAGE = "login 404 404 200 200 200 200 200 200 404"  # holders of dossier.view anywhere
# Open data: the agency admin publishes for their agency (dataset.manage), the city admin everywhere.
OPEN_DATA_EDITOR = "login 404 404 404 404 404 404 200 200 404"
OPEN_DATA_PRIVATE = "404 404 404 404 404 404 404 200 200 404"
ADMIN_LIST = "login login login login login login login 403 200 login"  # staff: agency admin, city admin

API: dict[str, Row] = {
    # --- foundation: public reference data ---
    "GET /api/v1/units": Row(PUBLIC),
    "GET /api/v1/units/{scheme}/{code}": Row(PUBLIC, fill={"code": "unit_code"}),
    "GET /api/v1/calendar/due": Row(PUBLIC, query={"start": "2026-12-01T09:00", "days": "3"}),
    "GET /api/v1/agencies": Row(PUBLIC),
    "GET /api/v1/agencies/{code}": Row(PUBLIC, fill={"code": "agency_code"}),
    "GET /api/v1/me": Row(SIGNED_IN),
    # --- identity: one's own profile only ---
    "GET /api/v1/identity/me": Row(
        "401 200 200 404 404 404 404 404 404 404", note="officials here have no citizen record"
    ),
    "POST /api/v1/identity/verify": Row(
        "401 422 422 404 404 404 404 404 404 404", note="citizens: the test registry does not know them"
    ),
    # --- procedures: public catalogue ---
    "GET /api/v1/procedures": Row(PUBLIC),
    "GET /api/v1/procedures/fields": Row(PUBLIC),
    "GET /api/v1/procedures/{code}": Row(PUBLIC, fill={"code": "procedure_code"}),
    # --- tasks: the scene's task, led by the owning agency, assigned by the city admin ---
    "GET /api/v1/tasks": Row(
        SIGNED_IN, note="contents: tests/tasks/test_api.py (invisible tasks not listed)"
    ),
    "POST /api/v1/tasks": Row(
        "401 403 403 403 403 201 403 403 201 403",
        json={
            "title": "Nhiệm vụ mới",
            "assigner_agency": "{agency_code}",
            "lead_agencies": ["{agency_code}"],
            "deadline": "2099-12-30",
        },
        note="task.assign: the agency's leader, the city admin",
    ),
    "POST /api/v1/tasks/multipart": Row(
        "401 403 403 403 403 201 403 403 201 403",
        data={
            "title": "Nhiệm vụ có tệp",
            "assigner_agency": "{agency_code}",
            "lead_agencies": ["{agency_code}"],
            "deadline": "2099-12-30",
            "files": "@pdf",
        },
        note="the JSON create with attachments: the same answers",
    ),
    "GET /api/v1/tasks/{task_id}": Row(TASK_READ),
    "GET /api/v1/tasks/{task_id}/files/{file_id}": Row(
        TASK_READ, fill={"file_id": "task_file"}, note="an attachment: who reads the task"
    ),
    "POST /api/v1/tasks/{task_id}/act": Row(
        "401 404 404 404 200 200 404 403 200 403",
        json={"verb": "accept"},
        note="the lead side accepts; agency admin and clerk only read",
    ),
    "POST /api/v1/tasks/{task_id}/reports": Row(
        "401 404 404 404 201 201 404 403 201 403",
        json={"kind": "progress", "text": "Đang làm", "percent": 10},
    ),
    "POST /api/v1/tasks/{task_id}/reports/multipart": Row(
        "401 404 404 404 201 201 404 403 201 403",
        data={"kind": "progress", "text": "Đang làm", "percent": "10", "files": "@pdf"},
        note="the JSON report with attachments: the same answers",
    ),
    # --- dossiers: reads of the owner's returned dossier ---
    "GET /api/v1/dossiers": Row(SIGNED_IN, note="contents: test_lists_show_only_visible_dossiers"),
    "GET /api/v1/dossiers/queues/{kind}": Row(SIGNED_IN),
    "GET /api/v1/dossiers/lookup": Row(PUBLIC, query={"code": "{code}", "secret": "{secret}"}),
    "GET /api/v1/dossiers/{code}": Row(DOSSIER_READ),
    "GET /api/v1/dossiers/{code} #foreign": Row(
        "401 404 200 404 404 404 200 404 200 404", fill={"code": "foreign_code"}
    ),
    "GET /api/v1/dossiers/{code} #missing": Row(NOBODY_SIGNED_IN, fill={"code": "missing_code"}),
    "GET /api/v1/dossiers/{code}/events": Row(DOSSIER_READ),
    "GET /api/v1/dossiers/{code}/attachments": Row(DOSSIER_READ),
    "GET /api/v1/dossiers/{code}/attachments/{attachment_id}": Row(DOSSIER_READ),
    "GET /api/v1/dossiers/{code}/attachments/{attachment_id} #foreign": Row(
        NOBODY_SIGNED_IN,
        fill={"attachment_id": "foreign_attachment"},
        note="a file of another dossier, asked through a dossier one may see",
    ),
    "GET /api/v1/dossiers/{code}/results": Row(DOSSIER_READ),
    # --- dossiers: transitions on the dossier waiting for reception (409: allowed, wrong state) ---
    "POST /api/v1/dossiers": Row(
        "401 201 201 201 201 201 201 201 201 201",
        data={"procedure": "{procedure_code}", "agency": "{agency_code}", "files": ["@pdf", "@pdf"]},
        note="anyone signed in may submit a dossier of their own",
    ),
    "POST /api/v1/dossiers/{code}/receive": Row(
        "401 403 404 200 403 403 404 403 200 404", fill={"code": W}, json={"note": ""}
    ),
    "POST /api/v1/dossiers/{code}/request-supplement": Row(
        "401 403 404 200 200 200 404 403 200 404", fill={"code": W}, json={"reasons": ["Thiếu"]}
    ),
    "POST /api/v1/dossiers/{code}/supplement": Row(
        "401 409 404 403 403 403 404 403 409 404", fill={"code": W}, data={"files": ["@pdf", "@pdf"]}
    ),
    "POST /api/v1/dossiers/{code}/reject": Row(
        "401 403 404 200 200 200 404 403 200 404", fill={"code": W}, json={"reasons": ["Không đủ điều kiện"]}
    ),
    "POST /api/v1/dossiers/{code}/withdraw": Row(
        "401 200 404 200 403 403 404 403 200 404", fill={"code": W}, json={"reason": "Nộp nhầm"}
    ),
    "POST /api/v1/dossiers/{code}/pause": Row(
        "401 403 404 409 409 403 404 403 409 404",
        fill={"code": W},
        json={"reason": "Chờ ý kiến", "kind": "opinion"},
    ),
    "POST /api/v1/dossiers/{code}/withdrawal-request": Row(
        "401 409 404 403 403 403 404 403 409 404",
        fill={"code": W},
        json={"reason": "Không cần nữa"},
        note="before reception the applicant withdraws directly (409 withdraw_directly)",
    ),
    "POST /api/v1/dossiers/{code}/withdrawal-request/confirm": Row(
        "401 403 404 409 403 403 404 403 409 404",
        fill={"code": W},
        json={"reason": ""},
        note="only the one-stop desk stops a received dossier; 409: not received, no pending request",
    ),
    "POST /api/v1/dossiers/{code}/withdrawal-request/decline": Row(
        "401 403 404 409 403 403 404 403 409 404",
        fill={"code": W},
        json={"reason": "Đang trình ký"},
        note="only the one-stop desk decides; 409: no pending request",
    ),
    "POST /api/v1/dossiers/{code}/resume": Row("401 403 404 409 409 403 404 403 409 404", fill={"code": W}),
    "POST /api/v1/dossiers/{code}/forward": Row(
        "401 403 404 409 409 409 404 403 409 404", fill={"code": W}, json={"note": ""}
    ),
    "POST /api/v1/dossiers/{code}/transfer": Row(
        "401 403 404 403 409 403 404 403 409 404",
        fill={"code": W},
        json={"to_agency": "{other_agency_code}", "note": ""},
    ),
    "POST /api/v1/dossiers/{code}/result": Row("401 403 404 403 409 403 404 403 409 404", fill={"code": W}),
    "POST /api/v1/dossiers/{code}/sign": Row("401 403 404 403 403 409 404 403 409 404", fill={"code": W}),
    "POST /api/v1/dossiers/{code}/return": Row("401 403 404 409 403 403 404 403 409 404", fill={"code": W}),
    "POST /api/v1/dossiers/{code}/apologize": Row(
        "401 403 404 403 409 409 404 403 409 404",
        fill={"code": W},
        note="no appointment to move before reception",
        json={"new_due": "2027-01-15T10:00:00+07:00", "reason": "Chậm"},
    ),
    "POST /api/v1/dossiers/{code}/rate": Row(
        "401 201 404 403 403 403 404 403 403 404",
        json={"scores": {"attitude": 5, "time": 5, "result": 5}},
        note="on the returned dossier",
    ),
    "POST /api/v1/dossiers/{code}/payments": Row(
        "401 403 404 201 403 403 404 403 201 404", fill={"code": W}, json={"method": "cash"}
    ),
    # --- signing: public verification ---
    "POST /api/v1/signing/verify": Row(PUBLIC, data={"file": "@pdf"}),
    "GET /api/v1/signing/issued/{sha256}": Row(PUBLIC, note="whoever holds the file knows its hash"),
    # --- notifications: one's own; the outbox for city admins ---
    "GET /api/v1/notifications": Row(SIGNED_IN, note="contents: test_notifications_are_private"),
    "GET /api/v1/notifications/outbox": Row(CITY_ONLY),
    "POST /api/v1/notifications/outbox/{message_id}/resend": Row(
        "401 403 403 403 403 403 403 403 409 403", note="city admin: the message is not failed"
    ),
    "POST /api/v1/notifications/{notification_id}/read": Row(OWNER_ONLY),
    # --- kpi: public open data; unit scores and reports for the unit's people ---
    "GET /api/v1/kpi/sets": Row(PUBLIC),
    "GET /api/v1/kpi/ranking/{period}": Row(PUBLIC),
    "GET /api/v1/kpi/ranking/{period} #tasks": Row(PUBLIC, query={"set": "259-NV"}),
    "GET /api/v1/kpi/snapshots": Row(PUBLIC),
    "GET /api/v1/kpi/snapshots #tasks": Row(PUBLIC, query={"set": "259-NV"}),
    "GET /api/v1/kpi/snapshots/{period}/{version}": Row(PUBLIC),
    "GET /api/v1/kpi/snapshots/{period}/{version} #tasks": Row(PUBLIC, query={"set": "259-NV"}),
    "GET /api/v1/kpi/targets": Row(PUBLIC),
    "GET /api/v1/kpi/scores/{agency_code}/{period}": Row(KPI_VIEW),
    "GET /api/v1/kpi/scores/{agency_code}/{period} #other": Row(
        CITY_ONLY, fill={"agency_code": "other_agency_code"}
    ),
    "GET /api/v1/kpi/report-quality/{agency_code}": Row(KPI_VIEW),
    "GET /api/v1/kpi/forms": Row(KPI_VIEW),
    "GET /api/v1/kpi/assignments": Row(SIGNED_IN, note="contents: test_kpi_lists_show_only_own_units"),
    "POST /api/v1/kpi/snapshots": Row(
        CITY_ONLY.replace("200", "201"), json={"period": "{period}", "reason": "Công bố lại"}
    ),
    "POST /api/v1/kpi/snapshots #tasks": Row(
        CITY_ONLY.replace("200", "201"),
        json={"period": "{period}", "reason": "Công bố lại", "set": "259-NV"},
    ),
    "POST /api/v1/kpi/targets/{code}/report": Row(
        CITY_ONLY,
        fill={"code": "kpi_target"},
        json={"value": "10", "as_of": "2026-11-01", "status": "on_track", "source": "Báo cáo"},
    ),
    "POST /api/v1/kpi/assignments/{pk}/submit": Row(
        "401 404 404 404 404 403 404 409 409 404", fill={"pk": "kpi_pk"}, json={"values": {"received": 1}}
    ),
    "POST /api/v1/kpi/assignments/{pk}/submit #other": Row(
        "401 404 404 404 404 404 404 404 200 404",
        fill={"pk": "kpi_assignment_other"},
        json={"values": {"received": 1}},
    ),
    "POST /api/v1/kpi/submissions/{pk}/accept": Row(
        "401 404 404 404 404 404 404 403 200 404", fill={"pk": "kpi_submission"}, json={"comment": ""}
    ),
    "POST /api/v1/kpi/submissions/{pk}/return": Row(
        "401 404 404 404 404 404 404 403 200 404",
        fill={"pk": "kpi_submission"},
        json={"comment": "Thiếu số liệu"},
    ),
    # --- feedback (phản ánh): public answers; the report for its agencies' officials and its reporter ---
    "GET /api/v1/feedback/categories": Row(PUBLIC),
    "GET /api/v1/feedback/public": Row(PUBLIC, note="never the reporter: test_pages, test_api"),
    "GET /api/v1/feedback/public/{code}": Row(PUBLIC, fill={"code": "fb_code"}),
    "POST /api/v1/feedback": Row(
        "401 201 201 201 201 201 201 201 201 201",
        data={
            "category": "moi-truong",
            "description": "Đèn đường hỏng nhiều ngày",
            "address": "Ngõ 5",
            "commune": "{fb_commune}",
        },
        note="anyone signed in may report (app channel)",
    ),
    "GET /api/v1/feedback": Row(SIGNED_IN, note="contents: test_api"),
    "GET /api/v1/feedback/{code}": Row("401 200 404 200 200 200 404 404 200 404", fill={"code": "fb_code"}),
    "GET /api/v1/feedback/{code}/events": Row(
        "401 200 404 200 200 200 404 404 200 404", fill={"code": "fb_code"}
    ),
    "POST /api/v1/feedback/{code}/{verb}": Row(
        "401 403 404 200 403 200 404 404 200 404",
        fill={"code": "fb_waiting", "verb": "fb_accept"},
        json={"level": "normal"},
        note="accept: the triage officers (reception, leader) of the receiving agency",
    ),
}

PAGES: dict[str, Row] = {
    # --- operations: for load balancers and Prometheus; by address, never by person ---
    "ops:healthz": Row(PUBLIC, note="liveness: the process answers"),
    "ops:readyz": Row(
        "503 503 503 503 503 503 503 503 503 503",
        note="no worker beats in the scene, so not ready, whoever asks (tests/ops/test_health.py)",
    ),
    "ops:metrics": Row(
        PUBLIC, note="the test client is 127.0.0.1, allowed by default; other addresses: 403 (tests/ops)"
    ),
    # --- portal: public ---
    "web:home": Row(PUBLIC),
    "web:login": Row(PUBLIC),
    "web:logout POST": Row("302 302 302 302 302 302 302 302 302 302"),
    "set_language POST": Row("302 302 302 302 302 302 302 302 302 302", data={"language": "en"}),
    "core:units": Row(PUBLIC),
    "core:unit": Row(PUBLIC, fill={"code": "unit_code"}),
    "core:due": Row(PUBLIC, query={"start": "2026-12-01T09:00", "days": "3"}),
    "procedures:catalogue": Row(PUBLIC),
    "procedures:detail": Row(PUBLIC, fill={"code": "procedure_code"}),
    "signing:verify": Row(PUBLIC),
    "signing:verify POST": Row(PUBLIC, data={"file": "@pdf"}),
    "signing:issued": Row(PUBLIC),
    "signing:certificate": Row(
        PUBLIC, fill={"kind": "cert_kind", "pk": "cert_pk", "fmt": "cert_fmt"}, note="trust anchor: public"
    ),
    "kpi:ranking": Row(PUBLIC),
    "kpi:ranking #tasks": Row(PUBLIC, query={"set": "259-NV"}, note="the task-results ranking (Plan 259)"),
    "kpi:ranking_export": Row(PUBLIC, note="published open data; no personal data (leak test)"),
    "kpi:ranking_export #tasks": Row(PUBLIC, query={"set": "259-NV"}),
    "kpi:targets": Row(PUBLIC),
    # --- open data: the public catalogue (private datasets: their editors and the city admin) ---
    "opendata:catalogue": Row(PUBLIC),
    "opendata:indicators": Row(PUBLIC),
    "opendata:catalog": Row(PUBLIC, fill={"fmt": "dcat_fmt"}, note="DCAT-AP for harvesters"),
    "opendata:dataset": Row(PUBLIC, fill={"name": "dataset_name"}),
    "opendata:dataset #private": Row(OPEN_DATA_PRIVATE, fill={"name": "private_dataset_name"}),
    "opendata:download": Row(PUBLIC, fill={"resource_id": "resource_id", "filename": "filename"}),
    "opendata:editor": Row(OPEN_DATA_EDITOR),
    "opendata:dataset_new": Row(OPEN_DATA_EDITOR),
    "opendata:dataset_new POST": Row(
        OPEN_DATA_EDITOR.replace("200", "302"),
        data={"owner_org": "{organisation}", "name": "bo-moi", "title": "Bộ mới"},
    ),
    "opendata:resource_new": Row(OPEN_DATA_EDITOR, fill={"name": "dataset_name"}),
    "opendata:resource_new POST": Row(
        OPEN_DATA_EDITOR.replace("200", "302"),
        fill={"name": "dataset_name"},
        data={"name": "Liên kết", "url": "https://example.vn/a.csv"},
    ),
    "opendata:visibility POST": Row(
        OPEN_DATA_EDITOR.replace("200", "302"), fill={"name": "dataset_name"}, data={"private": "1"}
    ),
    "dossiers:lookup": Row(PUBLIC),
    "dossiers:lookup POST #found": Row(
        "302 302 302 302 302 302 302 302 302 302", data={"code": "{code}", "secret": "{secret}"}
    ),
    "dossiers:lookup POST #wrong-secret": Row(PUBLIC, data={"code": "{code}", "secret": "SAI12345"}),
    "dossiers:lookup_detail": Row(PUBLIC, query={"s": "{secret}"}),
    "dossiers:lookup_detail #wrong-secret": Row(
        "404 404 404 404 404 404 404 404 404 404", query={"s": "SAI"}
    ),
    # --- account ---
    "identity:sign_up": Row("200 302 302 302 302 302 302 302 302 302"),
    "identity:profile": Row(PUBLIC, note="anonymous: a welcome page"),
    "identity:verify POST": Row("login 302 302 302 302 302 302 302 302 302"),
    "identity:export": Row(
        "login 200 200 302 302 302 302 302 302 302", note="one's own data; officials have no citizen record"
    ),
    "security:verify": Row(SIGNED_IN_PAGE.replace("200", "302"), note="2FA is not required in tests"),
    "security:setup": Row(SIGNED_IN_PAGE),
    "notifications:list": Row(SIGNED_IN_PAGE),
    "notifications:mark_read POST": Row(OWNER_PAGE.replace("200", "302"), fill={"pk": "notification_id"}),
    "notifications:mark_all_read POST": Row(SIGNED_IN_PAGE.replace("200", "302")),
    "notifications:mailbox": Row(
        NOBODY_PAGE,
        note="tests deliver to Django's in-memory mailer, so there is no local mailbox; who sees what "
        "in it: tests/notifications/test_mailbox.py",
    ),
    # --- the owner's dossier pages ---
    "dossiers:submit": Row(SIGNED_IN_PAGE.replace("200", "302"), note="opens the person's draft"),
    "dossiers:drafts": Row(SIGNED_IN_PAGE, note="contents: one's own drafts only (test_submit_wizard)"),
    "dossiers:draft_step": Row(OWNER_PAGE, fill={"pk": "draft_id"}),
    "dossiers:draft_discard POST": Row(OWNER_PAGE.replace("200", "302"), fill={"pk": "draft_id"}),
    "dossiers:mine": Row(SIGNED_IN_PAGE),
    "dossiers:detail": Row(OWNER_PAGE),
    "dossiers:receipt": Row(OWNER_PAGE),
    "dossiers:supplement POST": Row(
        OWNER_PAGE.replace("200", "302"),
        fill={"code": W},
        data={"item_0": ["@pdf", "@pdf"]},
        note="not waiting for a supplement: a message and back to the dossier",
    ),
    "dossiers:withdraw POST": Row(
        OWNER_PAGE.replace("200", "302"), fill={"code": W}, data={"reason": "Nộp nhầm"}
    ),
    "dossiers:request_withdrawal POST": Row(
        OWNER_PAGE.replace("200", "302"), fill={"code": W}, data={"reason": "Không cần nữa"}
    ),
    "dossiers:rate POST": Row(
        OWNER_PAGE.replace("200", "302"), data={"attitude": "5", "time": "5", "result": "5"}
    ),
    "dossiers:pay POST": Row(OWNER_PAGE.replace("200", "302"), fill={"code": W}),
    "dossiers:attachment": Row(DOSSIER_PAGE),
    "dossiers:attachment #foreign": Row(NOBODY_PAGE, fill={"pk": "foreign_attachment"}),
    "dossiers:result": Row(DOSSIER_FILE, fill={"pk": "result_pk"}),
    "dossiers:notice": Row(DOSSIER_FILE),
    # --- feedback (phản ánh) ---
    "feedback:public_list": Row(PUBLIC),
    "feedback:public_detail": Row(PUBLIC, fill={"code": "fb_code"}, note="never the reporter (test_pages)"),
    "feedback:photo": Row(PUBLIC, fill={"pk": "fb_photo"}, note="an after-photo of an answered report"),
    "feedback:report": Row(SIGNED_IN_PAGE.replace("200", "302"), note="opens the person's draft"),
    "feedback:draft_step": Row(OWNER_PAGE, fill={"pk": "fb_draft", "step": "fb_step"}),
    "feedback:mine": Row(SIGNED_IN_PAGE),
    "feedback:mine_detail": Row(OWNER_PAGE, fill={"code": "fb_code"}),
    "feedback:own_action POST": Row(
        OWNER_PAGE.replace("200", "302"),
        fill={"code": "fb_code", "action": "fb_rate"},
        data={"satisfied": "1"},
    ),
    "feedback:open311_services": Row(PUBLIC),
    "feedback:open311_service": Row(PUBLIC, fill={"code": "fb_service"}),
    "feedback:open311_requests": Row(PUBLIC),
    "feedback:open311_requests POST": Row(
        "201 201 201 201 201 201 201 201 201 201",
        data={
            "service_code": "moi-truong",
            "description": "Cây đổ chắn ngang đường",
            "address_string": "Số 9",
            "attribute[commune]": "{fb_commune}",
            "phone": "0912000111",
        },
        note="Open311 clients post without a session (csrf-exempt, no cookie needed)",
    ),
    "feedback:open311_request": Row(PUBLIC, fill={"request_id": "fb_code"}),
    "feedback:triage": Row("login 404 404 200 200 200 200 404 200 404", note="holders of feedback.view"),
    "feedback:unit_queue": Row("login 404 404 200 200 200 200 404 200 404"),
    "feedback:work_detail": Row("login 404 404 200 200 200 404 404 200 404", fill={"code": "fb_code"}),
    "feedback:work_action POST": Row(
        "login 404 404 302 403 302 404 404 302 404",
        fill={"code": "fb_waiting", "action": "fb_accept"},
        data={"level": "normal"},
    ),
    # --- officials' workspace ---
    "web:workspace": Row("login 302 302 200 200 200 200 200 200 200"),
    "dossiers:reception": Row(OFFICIALS_PAGE),
    "dossiers:counter": Row(OFFICIALS_PAGE, query={"thu_tuc": "{procedure_code}"}),
    "dossiers:work_queue": Row(OFFICIALS_PAGE),
    "dossiers:signing": Row(OFFICIALS_PAGE),
    "dossiers:register": Row(OFFICIALS_PAGE, note="each official reads the register of their own desk"),
    "dossiers:work_detail": Row("login 404 404 200 200 200 404 200 200 404"),
    "dossiers:result_preview": Row(
        "login 404 404 404 404 200 404 404 200 404",
        fill={"fmt": "preview_fmt"},
        note="what a leader of the processing agency would sign: only those who may sign see it",
    ),
    "dossiers:work_action POST": Row(
        "login 404 404 302 302 302 404 302 302 404", fill={"code": W}, data={"receive-note": ""}
    ),
    "tasks:unit": Row(TASK_PAGE),
    "tasks:assigned": Row(TASK_PAGE),
    "tasks:scoreboard": Row(TASK_PAGE),
    "tasks:register_export": Row(TASK_PAGE, note="each official's visible tasks only"),
    "tasks:assign": Row(
        "login 404 404 404 404 302 404 404 302 404", note="task.assign somewhere: opens the person's draft"
    ),
    "tasks:assign_step": Row(
        CITY_PAGE,
        fill={"pk": "task_draft", "step": "task_step"},
        note="the city admin's draft: anybody else's is not found (the leader may assign, not open it)",
    ),
    "tasks:assign_step POST": Row(
        "login 404 404 404 404 404 404 404 302 404",
        fill={"pk": "task_draft", "step": "task_step"},
        data={"title": "Nhiệm vụ ma trận", "source_kind": "ad_hoc", "priority": "normal", "files": "@pdf"},
        note="step 1 stores the file in the owner's draft and moves on",
    ),
    "tasks:plans": Row(TASK_PAGE, note="every plan; the task counts are of the tasks each reader sees"),
    "tasks:plan_create": Row(
        "login 404 404 404 404 200 404 404 200 404", note="task.assign somewhere: the agencies offered"
    ),
    "tasks:plan_create POST": Row(
        "login 404 404 404 404 302 404 404 302 404",
        data={
            "code": "02/KH-MT",
            "title": "Kế hoạch mới",
            "year": "2099",
            "agency": "{agency_code}",
            "m0_name": "Quý I",
            "m0_due": "2099-03-31",
        },
        note="the leader for their agency, the city admin anywhere",
    ),
    "tasks:plan": Row(TASK_PAGE, fill={"pk": "plan_id"}, note="the plan's tasks are filtered by visibility"),
    "tasks:detail": Row(TASK_PAGE, fill={"pk": "task_id"}),
    "tasks:file": Row(TASK_PAGE, fill={"pk": "task_id", "file_pk": "task_file"}),
    "tasks:split": Row(
        NOBODY_PAGE, fill={"pk": "task_id"}, note="the task is not accepted yet: no sub-tasks"
    ),
    "tasks:designate POST": Row(
        "login 404 404 404 404 302 404 404 302 404",
        fill={"pk": "task_id"},
        data={"person": "{task_person}"},
        note="the lead unit's leader (task.assign there) and the city admin name the lead person",
    ),
    "tasks:act POST": Row(
        "login 404 404 404 302 302 404 302 302 302",
        fill={"pk": "task_id"},
        note="agency admin and clerk: refused with a message, back to the task",
    ),
    "kpi:overview": Row(KPI_PAGE),
    "kpi:publish POST": Row(
        KPI_PAGE.replace("200", "302"), data={"period": "{period}", "reason": "Công bố lại"}
    ),
    "kpi:publish POST #tasks": Row(
        KPI_PAGE.replace("200", "302"),
        data={"period": "{period}", "reason": "Công bố lại", "set": "259-NV"},
        note="leader and agency admin: refused with a message (kpi.publish is the city's)",
    ),
    "kpi:rollup POST": Row(CITY_PAGE.replace("200", "302")),
    "kpi:unit": Row(KPI_PAGE, fill={"code": "agency_code"}),
    "kpi:unit #other": Row(CITY_PAGE, fill={"code": "other_agency_code"}),
    "kpi:unit_export": Row(KPI_PAGE, fill={"code": "agency_code", "fmt": "unit_fmt"}),
    "kpi:behind": Row(KPI_PAGE, fill={"code": "agency_code"}),
    "kpi:reports": Row(KPI_PAGE),
    "kpi:report": Row(KPI_PAGE, fill={"pk": "kpi_pk"}),
    "kpi:report #other": Row(CITY_PAGE, fill={"pk": "kpi_assignment_other"}),
    "kpi:form_workbook": Row(CITY_PAGE, fill={"code": "kpi_form", "period": "kpi_period"}),
}

ADMIN: dict[str, Row] = (
    {"index": Row("login login login login login login login 200 200 login")}
    | {
        key: Row(ADMIN_LIST)
        for key in (
            "auth.group",
            "axes.accessattempt",
            "axes.accessfailurelog",
            "axes.accesslog",
            "core.administrativeunit",
            "core.agency",
            "core.apitoken",
            "core.auditrecord",
            "core.calendaroverride",
            "core.user",
            "django_tasks_database.dbtaskresult",
            "dossiers.apologyletter",
            "dossiers.attachment",
            "dossiers.dossier",
            "dossiers.payment",
            "dossiers.rating",
            "dossiers.resultdocument",
            "feedback.category",
            "feedback.levelterm",
            "feedback.routingrule",
            "kpi.indicatorgroup",
            "kpi.indicatorset",
            "kpi.reportassignment",
            "kpi.reportform",
            "kpi.reportsubmission",
            "kpi.snapshot",
            "kpi.target",
            "notifications.notification",
            "notifications.outboxmessage",
            "otp_static.staticdevice",
            "otp_totp.totpdevice",
            "security.officialaccount",
            "signing.certificateauthority",
            "signing.issueddocument",
            "signing.signingcredential",
        )
    }
    | {
        # procedure.manage for the agency admin (their own agency's procedures only: see the admin's tests)
        key: Row("login login login login login login login 200 200 login")
        for key in ("procedures.field", "procedures.procedure", "procedures.process")
    }
)


# The CKAN-compatible Action API (/api/3/action/<name>) lives outside the ninja API (CKAN's own
# envelope and error types; ADR opendata), so it is not in openapi.json: its rows are here, checked
# by test_ckan_row with the actors' sessions. Writes need an API token: with a session every
# actor gets CKAN's 403 (Authorization Error); tokens are tested in tests/opendata.
CKAN_READ = "200 200 200 200 200 200 200 200 200 200"
CKAN_PRIVATE = "404 404 404 404 404 404 404 200 200 404"
CKAN_WRITE = "403 403 403 403 403 403 403 403 403 403"
CKAN: dict[str, Row] = {
    "GET status_show": Row(CKAN_READ),
    "GET package_list": Row(CKAN_READ),
    "GET package_show": Row(CKAN_READ, query={"id": "{dataset_name}"}),
    "GET package_show #private": Row(CKAN_PRIVATE, query={"id": "{private_dataset_name}"}),
    "GET package_search": Row(CKAN_READ, query={"q": "dữ liệu", "include_private": "true"}),
    "GET organization_list": Row(CKAN_READ),
    "GET organization_show": Row(CKAN_READ, query={"id": "{organisation}"}),
    "GET group_list": Row(CKAN_READ),
    "GET group_show": Row("404 404 404 404 404 404 404 404 404 404", query={"id": "khong-co"}),
    "GET tag_list": Row(CKAN_READ),
    "GET resource_show": Row(CKAN_READ, query={"id": "{resource_id}"}),
    "GET resource_show #private": Row(CKAN_PRIVATE, query={"id": "{private_resource_id}"}),
    "GET resource_view_list": Row(CKAN_READ, query={"id": "{resource_id}"}),
    "POST package_create": Row(CKAN_WRITE, json={"name": "bo-moi", "owner_org": "{organisation}"}),
    "POST package_update": Row(CKAN_WRITE, json={"id": "{dataset_name}", "name": "{dataset_name}"}),
    "POST package_patch": Row(CKAN_WRITE, json={"id": "{dataset_name}", "title": "Mới"}),
    "POST resource_create": Row(CKAN_WRITE, json={"package_id": "{dataset_name}", "url": "https://a.vn/x"}),
    "POST resource_patch": Row(CKAN_WRITE, json={"id": "{resource_id}", "name": "Mới"}),
}
