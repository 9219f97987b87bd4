"""Every URL of the portal answers hostile input with 4xx or a redirect, never 500.

PostgreSQL refuses a NUL character in text and a number beyond bigint (SQLite hides
both), so this runs there: every URL pattern of the project (the site in /en/ and /de/,
allauth, the admin, private files) with each parameter filled with a NUL, an over-long
value, a huge integer and bytes that are not UTF-8; as an anonymous visitor, a founder
and a superuser; by GET, by POST of the page's own form fields, and in the query string.
"""

import re
import time

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from exchanges.models import State
from startups.models import Role
from tests.factories import (
    AgreementFactory,
    ApplicationFactory,
    ContactFactory,
    MembershipFactory,
    ProgrammeFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Each value as it travels percent-encoded in a URL or a form body.
NUL = "%00"
LONG = "a" * 5000
HUGE_INT = "99999999999999999999999"
NOT_UTF8 = "%ff%fe"
VALUES = [NUL, LONG, HUGE_INT, NOT_UTF8]
QUERY_KEYS = ["q", "o", "p", "city", "sector", "open", "programme", "next", "all", "e"]
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
FORM_FIELD = re.compile(r"""<(?:input|select|textarea)\b[^>]*\bname=["']([^"']+)["']""")
FORM = "application/x-www-form-urlencoded"


def _regex_route(regex: str) -> str:
    """A regex pattern as a route template, each named group a {name} hole."""
    out, index = [], 0
    while (match := GROUP.search(regex, index)) is not None:
        out.append(regex[index : match.start()])
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[end], 0) if regex[end - 1] != "\\" else 0
            end += 1
        out.append(f"{{{match['name']}}}")
        index = end
    out.append(regex[index:])
    route = "".join(out).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    return route.replace("\\", "")


def _routes(patterns, prefix: str = "", names: tuple = ()):
    """(route template with {param} holes, param names, url name) for every pattern."""
    for entry in patterns:
        pattern = entry.pattern
        if isinstance(pattern, LocalePrefixPattern):
            pieces = ["en/", "de/"]
        elif isinstance(pattern, RoutePattern):
            pieces = [CONVERTER.sub(lambda m: f"{{{m['name']}}}", str(pattern))]
        elif isinstance(pattern, RegexPattern):
            pieces = [_regex_route(pattern.regex.pattern)]
        else:
            raise AssertionError(f"unknown pattern type {type(pattern)}")
        for piece in pieces:
            if isinstance(entry, URLResolver):
                yield from _routes(entry.url_patterns, prefix + piece, names)
            else:
                assert isinstance(entry, URLPattern)
                template = prefix + piece
                yield "/" + template, re.findall(r"\{(\w+)\}", template), entry.name


def _fill(template: str, params: list[str], value: str) -> str:
    return template.format(**dict.fromkeys(params, value)) if params else template


def _form_fields(html: str) -> list[str]:
    return sorted(set(FORM_FIELD.findall(html)) - {"csrfmiddlewaretoken"})


@pytest.fixture
def world():
    """One of everything, so that pages with real objects show their forms."""
    founder = MembershipFactory(role=Role.OWNER, user__email="founder@fuzz.example")
    programme = ProgrammeFactory()
    QuestionFactory(programme=programme)
    application = ApplicationFactory(
        programme=programme, startup=founder.startup, created_by=founder.user, state=State.DRAFT
    )
    ContactFactory(organisation=programme.host_organisation)
    AgreementFactory(partner_organisation=programme.host_organisation)
    superuser = UserFactory(email="root@fuzz.example", is_staff=True, is_superuser=True)
    return {
        "founder": founder.user,
        "superuser": superuser,
        "real": {
            "slug": [
                founder.startup.slug,
                programme.slug,
                programme.host_city.slug,
                programme.host_organisation.slug,
            ],
            "pk": [str(application.pk)],
        },
    }


def _admin_object_id(name: str | None) -> list[str]:
    """The id of an existing row for an admin URL named <app>_<model>_<view>."""
    for model in admin_site._registry:
        opts = model._meta
        if name and name.startswith(f"{opts.app_label}_{opts.model_name}_"):
            row = model._default_manager.first()
            return [str(row.pk)] if row else []
    return []


def test_every_url_answers_hostile_input_below_500(world):
    started = time.monotonic()
    users = {"anonymous": None, "founder": world["founder"], "superuser": world["superuser"]}
    routes = list(_routes(get_resolver().url_patterns))
    assert len(routes) > 100  # the admin's and allauth's patterns are walked too
    failures, requests = [], 0

    def check(client, method: str, url: str, who: str, **kwargs) -> None:
        nonlocal requests
        requests += 1
        response = getattr(client, method)(url, **kwargs)
        if response.status_code >= 500:
            path = re.sub(r"/[0-9]+/", "/{id}/", url.partition("?")[0])
            failures.append(f"{method.upper()} {path[:120]}")

    for who, user in users.items():
        client = Client(raise_request_exception=False)
        for template, params, name in routes:
            is_admin = template.startswith("/admin/")
            if who == "founder" and is_admin:
                continue  # a founder is an anonymous visitor to the admin
            if who == "superuser" and not is_admin and not template.startswith("/private/"):
                continue
            if user:
                client.force_login(user)  # a logout page may have logged us out
            for value in VALUES:
                url = _fill(template, params, value)
                body = "&".join(f"{key}={value}" for key in ("q", "name", "email"))
                check(client, "get", url, who)
                check(client, "post", url, who, data=body, content_type=FORM)
                if not params:
                    query = "&".join(f"{key}={value}" for key in QUERY_KEYS)
                    check(client, "get", f"{url}?{query}", who)
            # Pages with real objects: post every field of their own form with each value.
            fillings = [[]] if not params else []
            if params:
                candidates = _admin_object_id(name) if is_admin else []
                candidates += [v for p in params for v in world["real"].get(p, [])]
                fillings = [[c] for c in dict.fromkeys(candidates)]
            for filling in fillings:
                url = _fill(template, params, filling[0]) if filling else template
                page = client.get(url)
                requests += 1
                if page.status_code != 200 or "<form" not in page.content.decode(errors="replace"):
                    continue
                fields = _form_fields(page.content.decode())
                for value in VALUES:
                    body = "&".join(f"{field}={value}" for field in fields)
                    check(client, "post", url, who, data=body, content_type=FORM)
                    if user:
                        client.force_login(user)
                break

    assert sorted(failures) == [], f"of {requests} requests"
    assert time.monotonic() - started < 900  # a hang, not slowness


@pytest.mark.parametrize(
    "url",
    [
        "/private/pitch-decks/%00",
        "/en/startups/invitations/%00/",
        "/en/programmes/?city=%00",
        "/en/programmes/?sector=%00&open=%00",
        "/de/cities/?q=%00",
        "/en/cities/?q=%ff%fe",
        "/admin/cities/city/?q=%00",
        "/admin/cities/city/?o=%00",
        "/admin/exchanges/application/?p=%00",
    ],
)
def test_nul_or_broken_utf8_is_a_400_page(client, world, url):
    client.force_login(world["superuser"])

    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 400
    assert ("Ungültige Anfrage" if url.startswith("/de/") else "Bad request") in page
    assert "Go to the home page" in page or "Zur Startseite" in page


def test_path_bytes_not_in_utf8_are_only_a_404(client, world):
    """Django re-percent-encodes them ("%FF%FE"): a slug that matches nothing."""
    client.force_login(world["founder"])

    response = client.get("/en/cities/%ff%fe/")

    assert response.status_code == 404


def test_nul_in_the_session_cookie_is_a_400_page(client, world):
    client.cookies["sessionid"] = "\x00" * 32

    response = client.get("/en/programmes/")

    assert response.status_code == 400


def test_nul_in_a_form_value_is_a_400_page(client, world):
    client.force_login(world["founder"])

    response = client.post("/de/startups/new/", data="name=Acme%00&pitch=x", content_type=FORM)

    broken = client.post("/en/startups/new/", data="name=Acme%ff%fe&pitch=x", content_type=FORM)

    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()
    assert broken.status_code == 400


def test_huge_integer_id_is_404(client, world):
    client.force_login(world["founder"])

    response = client.get(f"/en/applications/{HUGE_INT}/")

    assert response.status_code == 404
