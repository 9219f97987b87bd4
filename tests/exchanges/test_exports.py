"""Exports of applications: CSV and XLSX, formulae kept as text, permissions, audit, queries."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from alliance.errors import DomainError
from exchanges.exports import export_programme_applications, export_selected_applications
from exchanges.models import Answer, Application, ExchangeProgramme, State, Verb
from startups.models import Sector, Stage
from tests.factories import (
    ApplicationFactory,
    CityFactory,
    ProgrammeFactory,
    QuestionFactory,
    StartupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUBMITTED = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)  # 10:30 in Berlin
HEADER = [
    "programme",
    "start-up",
    "city",
    "sector",
    "stage",
    "website",
    "state",
    "staged decision",
    "submitted (Europe/Berlin)",
    "motivation",
    "goals in the market",
    "needs",
    "When would you like to travel?",
    "How many of you would travel?",
    "reviews",
    "weighted average",
    "spread",
]
REFUSED = (
    "You may export only the applications of programmes you are assigned to, "
    "with the permission to export applications."
)
PROGRAMMES = reverse("admin:exchanges_exchangeprogramme_changelist")
APPLICATIONS = reverse("admin:exchanges_application_changelist")


def exporter(*programmes, codenames=("export_application",)):
    """Staff assigned to `programmes` who may view applications (and export them)."""
    user = UserFactory(is_staff=True, email="exporter@berlin-partner.example")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="exchanges",
            codename__in=["view_application", "view_exchangeprogramme", *codenames],
        )
    )
    for programme in programmes:
        programme.reviewers.add(user)
    return user


@pytest.fixture
def programme():
    programme = ProgrammeFactory(
        slug="tel-aviv-exchange", title_en="Tel Aviv Exchange", title_de="Austausch Tel Aviv"
    )
    QuestionFactory(programme=programme, position=1)  # "When would you like to travel?"
    QuestionFactory(
        programme=programme,
        position=2,
        text_en="How many of you would travel?",
        text_de="Wie viele von Ihnen würden reisen?",
    )
    return programme


def make_submitted(programme, name: str, **fields) -> Application:
    startup = StartupFactory(
        name=name,
        city=fields.pop("city", None) or CityFactory(name_en="Vienna", name_de="Wien"),
        website="https://example.com",
        sector=Sector.HEALTHTECH,
        stage=Stage.SEED,
    )
    fields.setdefault("submitted_at", SUBMITTED)
    fields.setdefault("consent_at", SUBMITTED)
    return ApplicationFactory(
        programme=programme, startup=startup, state=fields.pop("state", State.SUBMITTED), **fields
    )


def answer(application, position: int, value: str) -> None:
    question = application.programme.questions.get(position=position)
    Answer.objects.create(application=application, question=question, value=value)


@pytest.fixture
def reviewed(programme):
    application = make_submitted(
        programme,
        "Healthy Bytes",
        state=State.IN_REVIEW,
        pending_decision=Verb.ACCEPT,
        needs=["office", "investors"],
        motivation="We want to enter the market.",
        goals="Meet five hospitals.",
        review_count=3,
        review_score=Decimal("3.50"),
        review_spread=Decimal("1.25"),
    )
    answer(application, 1, "In May")
    answer(application, 2, "2")
    return application


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_sheet(response):
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_programme_export_as_csv(client, programme, reviewed):
    make_submitted(programme, "Draft Co", state=State.DRAFT, submitted_at=None)  # never shared
    client.force_login(exporter(programme))

    response = client.post(
        PROGRAMMES, {"action": "export_applications_csv", "_selected_action": [programme.pk]}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="applications-tel-aviv-exchange-'
    )
    assert csv_rows(response) == [
        HEADER,
        [
            "Tel Aviv Exchange",
            "Healthy Bytes",
            "Vienna",
            "health",
            "seed",
            "https://example.com",
            "in review",
            "accept",
            "2026-03-02 10:30",
            "We want to enter the market.",
            "Meet five hospitals.",
            "office space, investors",
            "In May",
            "2",
            "3",
            "3.50",
            "1.25",
        ],
    ]


def test_programme_export_as_xlsx(client, programme, reviewed):
    client.force_login(exporter(programme))

    response = client.post(
        PROGRAMMES, {"action": "export_applications_xlsx", "_selected_action": [programme.pk]}
    )

    sheet = xlsx_sheet(response)
    assert sheet.title == "Applications"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        HEADER,
        [
            "Tel Aviv Exchange",
            "Healthy Bytes",
            "Vienna",
            "health",
            "seed",
            "https://example.com",
            "in review",
            "accept",
            "2026-03-02 10:30",
            "We want to enter the market.",
            "Meet five hospitals.",
            "office space, investors",
            "In May",
            "2",
            3,
            3.5,
            1.25,
        ],
    ]


def test_export_in_the_readers_language(client, programme, reviewed):
    client.force_login(exporter(programme))

    response = client.post(
        PROGRAMMES,
        {"action": "export_applications_csv", "_selected_action": [programme.pk]},
        headers={"accept-language": "de"},
    )

    header, row = csv_rows(response)
    assert header[12:14] == ["Wann möchten Sie reisen?", "Wie viele von Ihnen würden reisen?"]
    assert row[:4] == ["Austausch Tel Aviv", "Healthy Bytes", "Wien", "Gesundheit"]


DANGEROUS = {
    "name": '=HYPERLINK("http://x","y")',
    "motivation": "+49 30 123456",
    "goals": "-1 competitor",
    "first": "@SUM(A1:A9)",
    "second": "\t=1+1",
    "website_like": "\r=cmd",
}


@pytest.fixture
def dangerous(programme):
    application = make_submitted(
        programme,
        DANGEROUS["name"],
        motivation=DANGEROUS["motivation"],
        goals=DANGEROUS["goals"],
    )
    answer(application, 1, DANGEROUS["first"])
    answer(application, 2, DANGEROUS["second"])
    QuestionFactory(programme=programme, position=3, text_en=DANGEROUS["website_like"])
    return application


def test_csv_cells_that_look_like_formulae_are_text(client, programme, dangerous):
    client.force_login(exporter(programme))

    response = client.post(
        PROGRAMMES, {"action": "export_applications_csv", "_selected_action": [programme.pk]}
    )

    header, row = csv_rows(response)
    assert header[14] == "'\r=cmd"  # a staff-written question heads its column, escaped too
    assert row[1] == '\'=HYPERLINK("http://x","y")'
    assert row[9:15] == [
        "'+49 30 123456",
        "'-1 competitor",
        "",
        "'@SUM(A1:A9)",
        "'\t=1+1",
        "",
    ]


def test_xlsx_cells_that_look_like_formulae_are_text(client, programme, dangerous):
    client.force_login(exporter(programme))

    response = client.post(
        PROGRAMMES, {"action": "export_applications_xlsx", "_selected_action": [programme.pk]}
    )

    sheet = xlsx_sheet(response)
    name = sheet["B2"]
    # Kept exactly as typed, but a string cell shown as text: never a formula.
    assert (name.value, name.data_type, name.quotePrefix) == (
        '=HYPERLINK("http://x","y")',
        "s",
        True,
    )
    assert [sheet[ref].value for ref in ("J2", "K2", "M2", "N2")] == [
        "+49 30 123456",
        "-1 competitor",
        "@SUM(A1:A9)",
        "\t=1+1",
    ]
    assert {sheet[ref].data_type for ref in ("J2", "K2", "M2", "N2", "O1")} == {"s"}
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula anywhere
    # A string of its own, styled with the quote prefix (style 1).
    assert '<c r="B2" s="1" t="inlineStr"><is><t>=HYPERLINK("http://x","y")</t></is></c>' in xml


def test_selected_applications_export_from_the_application_list(client, programme, reviewed):
    make_submitted(programme, "Other Co")  # not selected
    client.force_login(exporter(programme))

    response = client.post(
        APPLICATIONS, {"action": "export_selected_csv", "_selected_action": [reviewed.pk]}
    )

    rows = csv_rows(response)
    assert [row[1] for row in rows[1:]] == ["Healthy Bytes"]


def test_selection_of_several_programmes_heads_questions_by_programme(programme, reviewed):
    vienna = ProgrammeFactory(slug="vienna-bootcamp", title_en="Vienna Bootcamp")
    QuestionFactory(programme=vienna, position=1, text_en="Why Vienna?")
    viennese = make_submitted(vienna, "Danube Data")
    answer(viennese, 1, "The coffee")
    user = exporter(programme, vienna)

    export = export_programme_applications(
        ExchangeProgramme.objects.all(), by=user, file_format="csv"
    )

    header, first, second = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert header[12:15] == [
        "Tel Aviv Exchange: When would you like to travel?",
        "Tel Aviv Exchange: How many of you would travel?",
        "Vienna Bootcamp: Why Vienna?",
    ]
    assert (first[1], first[12:15]) == ("Healthy Bytes", ["In May", "2", ""])
    assert (second[1], second[12:15]) == ("Danube Data", ["", "", "The coffee"])
    assert export.name.startswith("applications-selection-")
    assert export.count == 2


def test_export_without_the_permission_is_refused(client, programme, reviewed):
    user = exporter(programme, codenames=())
    client.force_login(user)

    page = client.get(PROGRAMMES).content.decode()
    response = client.post(
        PROGRAMMES, {"action": "export_applications_csv", "_selected_action": [programme.pk]}
    )

    assert "Export applications (CSV)" not in page
    assert response.status_code == 200  # the list again, no file
    assert response["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(DomainError) as refused:
        export_programme_applications(ExchangeProgramme.objects.all(), by=user, file_format="csv")
    assert refused.value.messages == [REFUSED]
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_export_of_a_programme_not_assigned_is_refused(client, programme, reviewed):
    client.force_login(exporter())  # may export, but is assigned to no programme

    response = client.post(
        PROGRAMMES,
        {"action": "export_applications_csv", "_selected_action": [programme.pk]},
        follow=True,
    )

    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert [str(message) for message in response.context["messages"]] == [REFUSED]
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_selected_applications_of_another_programme_are_refused(programme, reviewed):
    elsewhere = make_submitted(ProgrammeFactory(slug="elsewhere"), "Hidden Co")
    user = exporter(programme)

    with pytest.raises(DomainError):
        export_selected_applications(
            Application.objects.filter(pk__in=[reviewed.pk, elsewhere.pk]),
            by=user,
            file_format="xlsx",
        )

    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_each_export_is_in_the_audit_log(client, programme, reviewed):
    make_submitted(programme, "Second Co")
    user = exporter(programme)
    client.force_login(user)

    client.post(
        PROGRAMMES, {"action": "export_applications_xlsx", "_selected_action": [programme.pk]}
    )

    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert (entry.actor, entry.actor_email) == (user, "exporter@berlin-partner.example")
    assert (entry.content_type, entry.object_pk, entry.object_repr) == (
        ContentType.objects.get_for_model(ExchangeProgramme),
        str(programme.pk),
        "Tel Aviv Exchange",
    )
    assert entry.additional_data == {"export": "applications", "format": "xlsx", "applications": 2}
    assert entry.changes in (None, {})
    assert entry.remote_addr is None


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_queries_stay_the_same_as_applications_grow(
    programme, file_format, django_assert_num_queries
):
    user = exporter(programme)
    user.has_perm("exchanges.export_application")  # the permissions cached, as in a request
    ContentType.objects.get_for_model(ExchangeProgramme)  # cached, as after the first request
    programmes = ExchangeProgramme.objects.all()

    first = make_submitted(programme, "Start-up 0")
    answer(first, 1, "In May")
    # visible programmes, programmes, questions, applications, answers, audit entry
    with django_assert_num_queries(6):
        one = export_programme_applications(programmes, by=user, file_format=file_format)

    for number in range(1, 10):
        answer(make_submitted(programme, f"Start-up {number}"), 2, str(number))
    with django_assert_num_queries(6):
        ten = export_programme_applications(programmes, by=user, file_format=file_format)

    assert (one.count, ten.count) == (1, 10)


def test_selected_export_queries_stay_the_same_as_applications_grow(
    programme, django_assert_num_queries
):
    user = exporter(programme)
    user.has_perm("exchanges.export_application")
    ContentType.objects.get_for_model(ExchangeProgramme)
    make_submitted(programme, "Start-up 0")
    # selection, visible applications, programmes, questions, applications, answers, audit
    with django_assert_num_queries(7):
        one = export_selected_applications(Application.objects.all(), by=user, file_format="xlsx")

    for number in range(1, 10):
        answer(make_submitted(programme, f"Start-up {number}"), 1, str(number))
    with django_assert_num_queries(7):
        ten = export_selected_applications(Application.objects.all(), by=user, file_format="xlsx")

    assert (one.count, ten.count) == (1, 10)
