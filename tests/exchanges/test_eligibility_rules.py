"""The sector rule: checked on submit, named when failed, shown on the programme's page."""

import datetime

import pytest
from django.utils import translation

from alliance.errors import DomainError
from exchanges import services
from exchanges.models import Application, State
from exchanges.rules import EligibilityResult, eligibility_results
from startups.models import Sector, Stage
from tests.exchanges.conftest import make_application
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def test_sector_rule_passes_for_a_listed_sector(world):
    world.programme.sectors = [Sector.FINTECH, Sector.HEALTHTECH]

    results = eligibility_results(world.programme, world.startup, today=TODAY)

    assert results == [EligibilityResult("Sector: fintech, health", True, "")]


def test_sector_rule_fails_for_another_sector_and_names_the_sectors(world):
    world.programme.sectors = [Sector.FINTECH, Sector.HEALTHTECH]
    world.startup.sector = Sector.MOBILITY

    results = eligibility_results(world.programme, world.startup, today=TODAY)

    assert results == [
        EligibilityResult(
            "Sector: fintech, health",
            False,
            "The programme is open to start-ups in fintech, health only.",
        )
    ]


def test_no_sector_list_is_no_rule(world):
    world.startup.sector = Sector.MOBILITY

    assert eligibility_results(world.programme, world.startup, today=TODAY) == []


def test_sector_rule_in_the_order_of_the_rules(world):
    programme = world.programme
    programme.allowed_stages = [Stage.SEED]
    programme.sectors = [Sector.HEALTHTECH]
    programme.requires_product_launched = True

    rules = [r.rule for r in eligibility_results(programme, world.startup, today=TODAY)]

    assert rules == ["Stage: seed", "Sector: health", "Product launched"]


def test_submit_refused_by_the_sector_rule_with_its_message(world):
    world.programme.sectors = [Sector.HEALTHTECH, Sector.EDTECH]
    world.programme.save()
    application = make_application(world)  # the start-up is in fintech

    with pytest.raises(DomainError) as refused:
        services.submit_application(application, by=world.owner, consent=True)

    assert refused.value.messages == [
        "The programme is open to start-ups in education, health only."
    ]
    assert Application.objects.get().state == State.DRAFT


def test_submit_passes_the_sector_rule_for_a_listed_sector(world):
    world.programme.sectors = [Sector.FINTECH]
    world.programme.save()

    services.submit_application(make_application(world), by=world.owner, consent=True)

    assert Application.objects.get().state == State.SUBMITTED


def test_sector_rule_names_the_sectors_in_the_readers_language(world):
    world.programme.sectors = [Sector.FINTECH, Sector.HEALTHTECH]

    with translation.override("de"):
        result = eligibility_results(world.programme, world.startup, today=TODAY)[0]

    assert "Fintech, Gesundheit" in result.rule


def test_public_page_lists_the_sectors(client):
    programme = ProgrammeFactory(
        slug="health-exchange", sectors=[Sector.FINTECH, Sector.HEALTHTECH]
    )

    html = client.get(f"/en/programmes/{programme.slug}/").content.decode()

    assert "<li>Sectors: fintech, health</li>" in html


def test_public_page_without_sectors_names_none(client):
    programme = ProgrammeFactory(slug="open-exchange", sectors=[])

    html = client.get(f"/en/programmes/{programme.slug}/").content.decode()

    assert "Sectors:" not in html


def test_public_page_lists_the_sectors_in_the_readers_language(client):
    programme = ProgrammeFactory(
        slug="health-exchange", sectors=[Sector.FINTECH, Sector.HEALTHTECH]
    )

    html = client.get(f"/de/programmes/{programme.slug}/").content.decode()

    assert " Fintech, Gesundheit</li>" in html


def test_stages_are_named_in_their_order_however_they_were_stored(world):
    programme = world.programme
    programme.allowed_stages = [Stage.SERIES_A, Stage.SEED, Stage.PRE_SEED]

    (rule,) = [r.rule for r in eligibility_results(programme, world.startup, today=TODAY)]

    assert rule == "Stage: pre-seed, seed, series A"
