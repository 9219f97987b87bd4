import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cities.models import City, Contact, CooperationAgreement, PartnerOrganisation
from cities.services import NETWORK_FILE, load_network

pytestmark = pytest.mark.django_db

NETWORK = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))


def snapshot() -> dict:
    """Every loaded row with all its columns, to compare whole tables."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in (City, PartnerOrganisation, Contact, CooperationAgreement)
    } | {
        "signatories": sorted(
            CooperationAgreement.signatories.through.objects.values_list(
                "cooperationagreement_id", "contact_id"
            )
        )
    }


def test_load_network_counts_match_the_data_file():
    load_network()

    assert City.objects.count() == len(NETWORK["cities"]) == 10
    assert PartnerOrganisation.objects.count() == len(NETWORK["organisations"])
    assert Contact.objects.count() == len(NETWORK["contacts"])
    assert CooperationAgreement.objects.count() == len(NETWORK["agreements"])


def test_load_network_twice_changes_nothing(capsys):
    call_command("load_network")
    before = snapshot()

    call_command("load_network")

    assert snapshot() == before
    assert capsys.readouterr().out.splitlines()[-1] == "Network data: up to date."


def test_load_network_real_facts():
    load_network()

    vienna = City.objects.get(slug="vienna")
    berlin = City.objects.get(slug="berlin")
    dubai = CooperationAgreement.objects.get(partner_organisation__slug="dubai-sme")
    assert (vienna.name_en, vienna.name_de, str(vienna.joined_on)) == (
        "Vienna",
        "Wien",
        "2017-11-22",
    )
    assert City.objects.get(slug="warsaw").name_de == "Warschau"
    assert (berlin.is_hub, berlin.country, berlin.timezone) == (True, "DE", "Europe/Berlin")
    assert PartnerOrganisation.objects.get(is_hub_operator=True).slug == "berlin-partner"
    assert (dubai.status, dubai.signed_on, dubai.signed_year) == ("signed", None, 2018)
    assert sorted(str(contact) for contact in dubai.signatories.all()) == [
        "Abdul Basset Al Janahi",
        "Dr. Stefan Franzke",
    ]
    tel_aviv = CooperationAgreement.objects.get(partner_organisation__slug="tel-aviv-global")
    assert (str(tel_aviv.signed_on), tel_aviv.signed_year) == ("2015-10-11", 2015)
    assert sorted(str(contact) for contact in tel_aviv.signatories.all()) == [
        "Andrea Joras",
        "Yael Weinstein",
    ]
    vienna_agreement = CooperationAgreement.objects.get(
        partner_organisation__slug="wirtschaftsagentur-wien"
    )
    assert sorted(str(contact) for contact in vienna_agreement.signatories.all()) == [
        "Dr. Stefan Franzke",
        "Gerhard Hirczi",
    ]
    memorandum = CooperationAgreement.objects.get(partner_organisation__slug="nycedc")
    assert (str(memorandum.signed_on), memorandum.summary_en[:31]) == (
        "2018-06-18",
        "Memorandum of understanding on ",
    )
    assert memorandum.sources[0].startswith("https://berlin-partner.de/en/press/detail/")
    assert sorted(
        PartnerOrganisation.objects.filter(city__slug="new-york").values_list("slug", flat=True)
    ) == ["brooklyn-borough-president", "nycedc"]
    members_by = dict(City.objects.exclude(member_by="").values_list("slug", "member_by"))
    assert members_by == {
        "paris": "2016",
        "london": "2017-11-22",
        "shanghai": "2016",
        "warsaw": "2018-07",
    }
    # Unknowns stay empty: nothing invented.
    paris = City.objects.get(slug="paris")
    assert (paris.joined_year, paris.joined_on) == (None, None)
    assert paris.sources == [
        "http://18.195.164.189/wirtschaft/wie-new-yorker-start-ups-fur-einen-trip-nach-berlin-kampfen-3021030.html",
        "https://www.wien.gv.at/arbeit-wirtschaft/start-alliance.html",
    ]
    assert not PartnerOrganisation.objects.filter(city=paris).exists()
    assert set(PartnerOrganisation.objects.values_list("website", flat=True)) == {""}
    assert Contact.objects.get(full_name="Yael Weinstein").position_en == ""


def test_load_network_every_city_has_a_description_in_english_and_german():
    load_network()

    missing = City.objects.filter(description_en__in=["", None]) | City.objects.filter(
        description_de__in=["", None]
    )
    assert list(missing) == []
    assert City.objects.get(slug="vienna").description_de.startswith(
        "Mitglied seit dem 22. November 2017"
    )


def test_load_network_keeps_what_staff_wrote_before_the_file_had_it():
    older = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
    for row in older["cities"]:
        del row["description"]
    load_network(older)
    paris = City.objects.get(slug="paris")
    paris.description_de = "Von der Redaktion."
    paris.save()

    report = load_network()

    paris.refresh_from_db()
    assert (paris.description_de, paris.description_en[:28]) == (
        "Von der Redaktion.",
        "Listed as a member of the St",
    )
    assert report.kept == ["city Paris: description_de"]


def test_load_network_sets_each_language_column_whatever_the_active_language():
    with translation.override("de"):
        load_network()

    vienna = City.objects.get(slug="vienna")
    assert (vienna.name_en, vienna.name_de, vienna.name_fr) == ("Vienna", "Wien", None)
    franzke = Contact.objects.get(full_name="Stefan Franzke")
    assert (franzke.position_en, franzke.position_de) == ("Managing Director", "Geschäftsführer")


def test_load_network_keeps_staff_edits(capsys):
    load_network()
    vienna = City.objects.get(slug="vienna")
    vienna.name_de = "Wien (Österreich)"
    vienna.description_en = "Written by staff."
    vienna.save()
    agreement = CooperationAgreement.objects.get(partner_organisation__slug="dubai-sme")
    agreement.signatories.remove(Contact.objects.get(full_name="Sisi Liu").pk)  # not a signatory
    agreement.signatories.remove(Contact.objects.get(full_name="Abdul Basset Al Janahi"))

    call_command("load_network")

    vienna.refresh_from_db()
    assert (vienna.name_de, vienna.description_en) == ("Wien (Österreich)", "Written by staff.")
    assert [str(c) for c in agreement.signatories.all()] == ["Dr. Stefan Franzke"]
    output = capsys.readouterr().out
    assert "Kept staff edit (city Vienna: name_de); use --overwrite to restore the file." in output
    assert "signatories" in output


def test_load_network_overwrite_restores_the_file():
    load_network()
    vienna = City.objects.get(slug="vienna")
    vienna.name_de = "Wien (Österreich)"
    vienna.save()
    agreement = CooperationAgreement.objects.get(partner_organisation__slug="dubai-sme")
    agreement.signatories.clear()

    call_command("load_network", "--overwrite")

    vienna.refresh_from_db()
    assert vienna.name_de == "Wien"
    assert agreement.signatories.count() == 2


def test_load_network_takes_file_corrections_where_staff_did_not_edit():
    load_network()
    data = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
    paris = next(city for city in data["cities"] if city["slug"] == "paris")
    paris["joined_year"] = 2016

    report = load_network(data)

    assert City.objects.get(slug="paris").joined_year == 2016
    assert report.updated == {"cities": 1}
    assert report.kept == []


def test_load_network_refuses_an_invalid_file_and_changes_nothing():
    load_network()
    before = snapshot()
    data = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
    data["cities"][0]["country"] = "Germany"

    with pytest.raises(Exception, match="country"):
        load_network(data)

    assert snapshot() == before


def test_load_network_command_reports_an_invalid_file(monkeypatch, tmp_path):
    broken = tmp_path / "network.json"
    data = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
    data["cities"][1]["timezone"] = "Europe/Atlantis"
    broken.write_text(json.dumps(data))
    monkeypatch.setattr("cities.services.NETWORK_FILE", broken)

    with pytest.raises(CommandError, match="The network file is invalid"):
        call_command("load_network")

    assert not City.objects.exists()
